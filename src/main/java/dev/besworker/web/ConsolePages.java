package dev.besworker.web;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

import dev.besworker.cluster.WorkerRegistry;

/**
 * The console's pages (Thymeleaf, rendered on the server; no script needed). Actions are two
 * steps without JavaScript: the button opens a confirmation page, whose form posts the action
 * with Spring Security's CSRF token; the result comes back as a message on the run's page.
 */
@Controller
class ConsolePages {

    private static final List<String> ACTIONS = List.of("restart", "stop", "abandon");

    private final ConsoleViews views;
    private final ConsoleActions actions;
    private final InboxFiles inboxFiles;
    private final ConsoleProperties properties;
    private final String cliCommand;
    private final WorkerRegistry workers;

    ConsolePages(ConsoleViews views, ConsoleActions actions, InboxFiles inboxFiles, ConsoleProperties properties,
            WorkerRegistry workers, @Value("${besworker.cli-command:bes-worker}") String cliCommand) {
        this.workers = workers;
        this.views = views;
        this.actions = actions;
        this.inboxFiles = inboxFiles;
        this.properties = properties;
        this.cliCommand = cliCommand;
    }

    @GetMapping("/")
    String home() {
        return "redirect:/runs";
    }

    @GetMapping("/login")
    String login(Model model) {
        model.addAttribute("noUsers", properties.users().isEmpty());
        return "login";
    }

    @GetMapping("/runs")
    String runs(@RequestParam(required = false) String definition, @RequestParam(required = false) String status,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String input, @RequestParam(required = false) String page,
            Model model, Authentication user) {
        ExecutionSearch.Query query = ExecutionSearch.Query.parse(definition, status, from, to, input, page, null,
                properties.pageSize());
        ConsoleViews.RunsPage runs = views.runs(query);
        model.addAttribute("query", query);
        model.addAttribute("runs", runs);
        model.addAttribute("definitions", views.definitions().stream().map(ConsoleViews.DefinitionView::name).toList());
        model.addAttribute("statuses", org.springframework.batch.core.BatchStatus.values());
        model.addAttribute("pageLink", pageLink(query));
        common(model, user);
        return "runs";
    }

    @GetMapping("/runs/{id}")
    String run(@PathVariable String id, Model model, Authentication user) {
        long executionId = ConsoleViews.executionId(id);
        model.addAttribute("run", views.run(executionId));
        model.addAttribute("cli", cliCommand);
        common(model, user);
        return "run";
    }

    /** The confirmation of an action (a page of its own: works without JavaScript). */
    @GetMapping("/runs/{id}/{action}")
    String confirm(@PathVariable String id, @PathVariable String action, Model model, Authentication user) {
        long executionId = ConsoleViews.executionId(id);
        if (!ACTIONS.contains(action)) {
            throw ApiException.notFound("there is no action '" + action + "'");
        }
        model.addAttribute("run", views.run(executionId));
        model.addAttribute("action", action);
        model.addAttribute("ids", List.of(executionId));
        model.addAttribute("cli", cliCommand);
        common(model, user);
        return "confirm";
    }

    @PostMapping("/runs/{id}/{action}")
    String act(@PathVariable String id, @PathVariable String action, Principal user, RedirectAttributes redirect) {
        long executionId = ConsoleViews.executionId(id);
        try {
            ConsoleActions.Outcome outcome = switch (action) {
                case "restart" -> actions.restart(executionId, user.getName());
                case "stop" -> actions.stop(executionId, user.getName());
                case "abandon" -> actions.abandon(executionId, user.getName());
                default -> throw ApiException.notFound("there is no action '" + action + "'");
            };
            redirect.addFlashAttribute("message", outcome.message());
        }
        catch (ApiException ex) {
            if (ex.status().value() == 404 && !ACTIONS.contains(action)) {
                throw ex;
            }
            redirect.addFlashAttribute("refusal", ex.getMessage());
        }
        return "redirect:/runs/" + executionId;
    }

    /** Confirmation of restarting the runs ticked on the runs page. */
    @GetMapping("/restart-selected")
    String confirmMany(@RequestParam(required = false) List<String> ids, Model model, Authentication user) {
        List<Long> parsed = new ArrayList<>();
        if (ids != null) {
            ids.forEach(id -> parsed.add(ConsoleViews.executionId(id)));
        }
        if (parsed.isEmpty()) {
            throw ApiException.badRequest("tick the runs to restart first");
        }
        model.addAttribute("action", "restart");
        model.addAttribute("ids", parsed);
        model.addAttribute("cli", cliCommand);
        common(model, user);
        return "confirm";
    }

    @PostMapping("/restart-selected")
    String restartMany(@RequestParam(required = false) List<String> ids, Principal user, RedirectAttributes redirect) {
        List<String> done = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String id : ids == null ? List.<String>of() : ids) {
            try {
                done.add(actions.restart(ConsoleViews.executionId(id), user.getName()).message());
            }
            catch (ApiException ex) {
                refused.add(ex.getMessage());
            }
        }
        if (!done.isEmpty()) {
            redirect.addFlashAttribute("message", String.join("; ", done));
        }
        if (!refused.isEmpty()) {
            redirect.addFlashAttribute("refusal", String.join("; ", refused));
        }
        return "redirect:/runs";
    }

    @GetMapping("/definitions")
    String definitions(Model model, Authentication user) {
        List<ConsoleViews.DefinitionView> definitions = views.definitions();
        model.addAttribute("definitions", definitions);
        model.addAttribute("files", definitions.stream().filter(ConsoleViews.DefinitionView::valid)
                .collect(java.util.stream.Collectors.toMap(ConsoleViews.DefinitionView::name,
                        d -> inboxFiles.files(d.name()))));
        common(model, user);
        return "definitions";
    }

    @GetMapping("/workers")
    String workers(Model model, Authentication user) {
        model.addAttribute("workers", workers.workers(java.time.Duration.ofHours(1)));
        common(model, user);
        return "workers";
    }

    @PostMapping("/definitions/{name}/retry")
    String retry(@PathVariable String name, @RequestParam(required = false) String file, Principal user,
            RedirectAttributes redirect) {
        try {
            redirect.addFlashAttribute("message", actions.retryFile(name, file, user.getName()).message());
        }
        catch (ApiException ex) {
            redirect.addFlashAttribute("refusal", ex.getMessage());
        }
        return "redirect:/definitions";
    }

    /** A refused page request: the same layout, the status and the message. */
    @ExceptionHandler(ApiException.class)
    String refused(ApiException ex, Model model, HttpServletResponse response) {
        response.setStatus(ex.status().value());
        model.addAttribute("status", ex.status().value());
        model.addAttribute("problem", ex.getMessage());
        return "error";
    }

    private void common(Model model, Authentication user) {
        model.addAttribute("user", user == null ? null : user.getName());
        model.addAttribute("operator", user != null && user.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals(Role.OPERATOR.authority())));
    }

    private static String pageLink(ExecutionSearch.Query query) {
        UriComponentsBuilder link = UriComponentsBuilder.fromPath("/runs");
        if (query.definition() != null) {
            link.queryParam("definition", query.definition());
        }
        if (query.status() != null) {
            link.queryParam("status", query.status());
        }
        if (query.from() != null) {
            link.queryParam("from", query.from());
        }
        if (query.to() != null) {
            link.queryParam("to", query.to());
        }
        if (query.input() != null) {
            link.queryParam("input", query.input());
        }
        return link.build().encode().toUriString() + (link.build().getQuery() == null ? "?" : "&") + "page=";
    }
}
