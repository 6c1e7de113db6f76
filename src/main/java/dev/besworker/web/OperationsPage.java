package dev.besworker.web;

import java.net.URI;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import dev.besworker.ops.ExecutionOwners;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionDetail;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.ops.ExecutionReports.StepSummary;
import dev.besworker.pipeline.RunLogListener;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.secrets.Redactor;

/**
 * The operators' page of {@code serve}: executions newest first, each one's steps, state and
 * error, and buttons that restart or stop it, the same operations as the command line. Forms
 * carry a token known only to pages this process served, so that another site open in the
 * operator's browser cannot post to it.
 */
class OperationsPage {

    private static final Logger log = LoggerFactory.getLogger(OperationsPage.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ExecutionReports reports;
    private final ExecutionOwners owners;
    private final ScoringRuns runs;
    private final ExecutorService restarts;
    private final String token;

    OperationsPage(ExecutionReports reports, ExecutionOwners owners, ScoringRuns runs, ExecutorService restarts) {
        this.reports = reports;
        this.owners = owners;
        this.runs = runs;
        this.restarts = restarts;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
    }

    ServerResponse list(ServerRequest request) {
        String definition = request.param("definition").filter(s -> !s.isBlank()).orElse(null);
        BatchStatus status = request.param("status").filter(s -> !s.isBlank())
                .map(s -> BatchStatus.valueOf(s.toUpperCase(Locale.ROOT))).orElse(null);
        List<ExecutionSummary> executions = reports.list(definition, status, 100);
        StringBuilder html = page("Executions");
        html.append("<form method='get'>definition <input name='definition' value='").append(escape(definition))
                .append("'> status <select name='status'><option></option>");
        for (BatchStatus s : BatchStatus.values()) {
            html.append("<option").append(s == status ? " selected" : "").append(">").append(s).append("</option>");
        }
        html.append("</select> <button>filter</button></form>");
        html.append("<table><tr><th>id</th><th>status</th><th>definition</th><th>started</th><th>ended</th>"
                + "<th>BES job</th><th>input / error</th></tr>");
        for (ExecutionSummary e : executions) {
            html.append("<tr class='").append(e.status().name().toLowerCase(Locale.ROOT)).append("'><td><a href='/executions/")
                    .append(e.executionId()).append("'>").append(e.executionId()).append("</a></td><td>")
                    .append(e.status()).append("</td><td>").append(escape(e.definition())).append("</td><td>")
                    .append(time(e.startTime())).append("</td><td>").append(time(e.endTime())).append("</td><td>")
                    .append(escape(e.besJobId())).append("</td><td>")
                    .append(escape(e.error() != null ? e.error() : e.input())).append("</td></tr>");
        }
        html.append("</table>");
        if (executions.isEmpty()) {
            html.append("<p>No executions").append(definition != null || status != null ? " match." : " yet.")
                    .append("</p>");
        }
        return html(html);
    }

    ServerResponse show(ServerRequest request) {
        long id = Long.parseLong(request.pathVariable("id"));
        ExecutionDetail detail = reports.show(id).orElse(null);
        if (detail == null) {
            return ServerResponse.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_HTML)
                    .body(page("No execution " + id).append("<p>There is no execution ").append(id)
                            .append(". <a href='/executions'>All executions</a></p>").toString());
        }
        ExecutionSummary s = detail.summary();
        StringBuilder html = page("Execution " + id);
        request.param("message").ifPresent(m -> html.append("<p class='message'>").append(escape(m)).append("</p>"));
        html.append("<p><a href='/executions'>All executions</a></p><table>");
        row(html, "status", s.status() + " [" + s.exitCode() + "]");
        row(html, "definition", s.definition());
        row(html, "input", s.input());
        row(html, "started", time(s.startTime()));
        row(html, "ended", time(s.endTime()));
        row(html, "BES job", s.besJobId());
        if (detail.owner() != null) {
            row(html, "owner", detail.owner());
        }
        if (s.error() != null) {
            row(html, "error", s.error());
        }
        html.append("</table>");
        if (s.status() == BatchStatus.FAILED || s.status() == BatchStatus.STOPPED || s.status().isRunning()) {
            html.append("<p>");
            if (s.status().isRunning()) {
                html.append(button(id, "stop", "Stop (ends STOPPED, restartable)"));
            }
            html.append(button(id, "restart", "Restart where it stopped")).append("</p>");
        }
        html.append("<h2>Steps</h2><table><tr><th>step</th><th>status</th><th>started</th><th>ended</th>"
                + "<th>read</th><th>written</th><th>error</th></tr>");
        for (StepSummary step : detail.steps()) {
            html.append("<tr><td>").append(escape(step.name())).append("</td><td>").append(step.status())
                    .append("</td><td>").append(time(step.startTime())).append("</td><td>").append(time(step.endTime()))
                    .append("</td><td>").append(step.readCount()).append("</td><td>").append(step.writeCount())
                    .append("</td><td>").append(escape(step.error())).append("</td></tr>");
        }
        html.append("</table><h2>State</h2><table>");
        detail.context().forEach((key, value) -> row(html, key, value));
        html.append("</table><h2>Parameters</h2><table>");
        detail.parameters().forEach((key, value) -> row(html, key, value));
        html.append("</table>");
        return html(html);
    }

    ServerResponse restart(ServerRequest request) {
        long id = Long.parseLong(request.pathVariable("id"));
        if (!validToken(request)) {
            return ServerResponse.status(HttpStatus.FORBIDDEN).body("missing or wrong form token");
        }
        restarts.submit(() -> {
            try {
                ScoringRuns.RunOutcome outcome = runs.restart(id);
                log.info("restart of execution {} from the operations page: execution {} {}", id,
                        outcome.executionId(), outcome.status());
            }
            catch (RuntimeException ex) {
                log.warn("restart of execution {} from the operations page failed: {}", id, RunLogListener.reason(ex));
            }
        });
        return redirect(id, "Restart requested; this page shows its progress when reloaded.");
    }

    ServerResponse stop(ServerRequest request) {
        long id = Long.parseLong(request.pathVariable("id"));
        if (!validToken(request)) {
            return ServerResponse.status(HttpStatus.FORBIDDEN).body("missing or wrong form token");
        }
        boolean asked = owners.requestStop(id);
        return redirect(id, asked ? "Stop requested; the execution ends STOPPED shortly."
                : "No live process runs this execution; restart recovers it.");
    }

    ServerResponse apiList(ServerRequest request) {
        int limit = request.param("limit").map(Integer::parseInt).orElse(20);
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(reports.list(
                request.param("definition").orElse(null),
                request.param("status").map(s -> BatchStatus.valueOf(s.toUpperCase(Locale.ROOT))).orElse(null), limit));
    }

    ServerResponse apiShow(ServerRequest request) {
        long id = Long.parseLong(request.pathVariable("id"));
        return reports.show(id).map(detail -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(detail))
                .orElseGet(() -> ServerResponse.notFound().build());
    }

    private boolean validToken(ServerRequest request) {
        try {
            Map<String, List<String>> form = request.params();
            return form.getOrDefault("token", List.of()).contains(token);
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    private String button(long id, String action, String label) {
        return "<form class='inline' method='post' action='/executions/" + id + "/" + action + "'>"
                + "<input type='hidden' name='token' value='" + token + "'><button>" + escape(label) + "</button></form> ";
    }

    private static ServerResponse redirect(long id, String message) {
        return ServerResponse.seeOther(URI.create("/executions/" + id + "?message="
                + java.net.URLEncoder.encode(message, java.nio.charset.StandardCharsets.UTF_8))).build();
    }

    private static void row(StringBuilder html, String key, String value) {
        html.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value)).append("</td></tr>");
    }

    private static StringBuilder page(String title) {
        return new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>bes-worker: ")
                .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:1.5em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
                        + "vertical-align:top}tr.failed td{background:#fdd}tr.stopped td{background:#ffd}"
                        + "tr.started td{background:#def}.message{background:#efe;padding:.5em}"
                        + "form.inline{display:inline}</style></head><body><h1>bes-worker: ")
                .append(escape(title)).append("</h1>");
    }

    private static ServerResponse html(StringBuilder html) {
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML).body(html.append("</body></html>").toString());
    }

    private static String time(LocalDateTime time) {
        return time == null ? "-" : TIME.format(time);
    }

    /** HTML-escaped and scrubbed of secrets. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return Redactor.scrub(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace("\"", "&quot;");
    }
}
