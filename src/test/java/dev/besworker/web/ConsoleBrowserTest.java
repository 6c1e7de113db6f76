package dev.besworker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} driven through its
 * {@code chromedriver}, as {@code .ci/run} installs them): an operator restarts a failed run and
 * sees the work complete; a viewer finds no action, and a forged POST is refused. The operator's
 * test saves the README's screenshots under {@code src/site/screenshots/}.
 */
class ConsoleBrowserTest extends ConsoleTestSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("src/site/screenshots");

    private WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (apt-get install chromium chromium-driver)").exists();
        startServe(twoUsers());
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(2));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void operator_findsTheFailedRun_restartsIt_andSeesTheWorkComplete() throws IOException {
        // given a run that failed at BES
        long failed = failedInboxRun("nightly-reviews.csv");

        // when the operator logs in and restarts it from its page, confirming
        logIn(OPERATOR, OPERATOR_PASSWORD);
        WebElement row = browser.findElement(By.cssSelector("table.runs tr.failed"));
        assertThat(row.getText()).contains("FAILED").contains("canary");
        clickAndLoad(row.findElement(By.linkText(Long.toString(failed))));
        assertThat(browser.findElement(By.cssSelector("pre.error-text")).getText()).contains("the canary column is missing");
        clickAndLoad(browser.findElement(By.linkText("Restart…")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Restart run " + failed + "?");
        clickAndLoad(browser.findElement(By.xpath("//button[text()='Yes, restart']")));

        // then the page says so, and once the work is done it shows the completed try
        assertThat(browser.findElement(By.cssSelector(".message")).getText()).contains("moved back into the inbox");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            browser.navigate().refresh();
            return !browser.findElements(By.xpath("//li[a[starts-with(text(),'Run ')]]/span[text()='COMPLETED']"))
                    .isEmpty();
        });
        assertThat(browser.findElement(By.cssSelector("table.audit")).getText()).contains(OPERATOR).contains("RESTART");
        clickAndLoad(browser.findElement(By.xpath("//li[span[text()='COMPLETED']]/a")));
        assertThat(browser.findElement(By.cssSelector("h1 .status")).getText()).isEqualTo("COMPLETED");
        assertThat(browser.findElements(By.cssSelector("svg rect.bar.completed"))).hasSizeGreaterThanOrEqualTo(3);
        screenshot("run-timeline.png");
        browser.get(base + "/runs");
        assertThat(browser.findElements(By.cssSelector("table.runs tr.completed"))).isNotEmpty();
        screenshot("runs.png");
        browser.get(base + "/definitions");
        screenshot("definitions.png");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        browser.get(base + "/runs");
        assertThat(browser.findElements(By.cssSelector("table.runs tr.completed"))).isNotEmpty();
        screenshot("runs-phone.png");
    }

    @Test
    void viewer_seesNoActions_andAForgedPostIsRefused() throws IOException {
        // given a failed run
        long failed = failedInboxRun("viewer-sees.csv");

        // when a viewer logs in and opens it
        logIn(VIEWER, VIEWER_PASSWORD);
        assertThat(browser.findElements(By.cssSelector("input[name=ids]"))).isEmpty();
        browser.get(base + "/runs/" + failed);

        // then there is no action to take
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("FAILED");
        assertThat(browser.findElements(By.cssSelector(".actions a"))).isEmpty();
        assertThat(browser.findElements(By.linkText("Restart…"))).isEmpty();

        // and bad addresses are a 400 page, not a server error
        browser.get(base + "/runs?status=bogus");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Bad request");
        assertThat(browser.findElement(By.cssSelector("main .refusal")).getText()).contains("bogus");
        browser.get(base + "/runs/abc");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Bad request");
        browser.get(base + "/runs/" + failed);

        // and a POST forged with the viewer's own session and CSRF token is refused
        String session = browser.manage().getCookieNamed("JSESSIONID").getValue();
        String csrf = browser.findElement(By.cssSelector("form[action='/logout'] input[name=_csrf]")).getDomProperty("value");
        HttpResponse<String> forged = send(HttpRequest.newBuilder(base.resolve("/runs/" + failed + "/restart"))
                .header("Cookie", "JSESSIONID=" + session)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8)))
                .build());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(status(failed)).isEqualTo("FAILED");
        assertThat(Files.exists(inbox().resolve("failed").resolve("viewer-sees.csv"))).isTrue();
    }

    @Test
    void aPostWithoutTheCsrfToken_isRefused_evenForAnOperator() throws IOException {
        long failed = failedInboxRun("csrf.csv");
        logIn(OPERATOR, OPERATOR_PASSWORD);
        String session = browser.manage().getCookieNamed("JSESSIONID").getValue();

        HttpResponse<String> forged = send(HttpRequest.newBuilder(base.resolve("/runs/" + failed + "/restart"))
                .header("Cookie", "JSESSIONID=" + session)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("confirm=yes")).build());

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(status(failed)).isEqualTo("FAILED");
    }

    private void logIn(String user, String password) {
        browser.get(base + "/runs");
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        clickAndLoad(browser.findElement(By.cssSelector("button[type=submit]")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Runs");
    }

    /**
     * Clicks what leads to another page and waits until the old page is gone, so that the next
     * look-up reads the new page (an h1 found in between would be the old page's, and stale).
     */
    private void clickAndLoad(WebElement element) {
        WebElement page = browser.findElement(By.tagName("html"));
        element.click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> isGone(page));
    }

    /**
     * Whether the element's page has been left. Not Selenium's {@code stalenessOf} alone: asked
     * while the old page unloads, chromedriver may answer "Node with given id does not belong to
     * the document" as an unknown error instead of a stale element (seen in CI, Chrome 156).
     */
    private static boolean isGone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        }
        catch (StaleElementReferenceException gone) {
            return true;
        }
        catch (WebDriverException ex) {
            if (ex.getMessage() != null && ex.getMessage().contains("does not belong to the document")) {
                return true;
            }
            throw ex;
        }
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(SCREENSHOTS);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
