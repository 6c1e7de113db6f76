package dev.besworker.web;

import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.besworker.cluster.WorkerRegistry;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionDetail;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.ops.ExecutionReports.StepSummary;

/**
 * The console's JSON API: what the pages show, for scripts. Reads need a viewer, actions an
 * operator (HTTP Basic). Errors are JSON with a message: 400 bad parameter, 404 unknown id,
 * 409 an action the state does not allow (see {@link ConsoleErrors}).
 */
@RestController
@RequestMapping(path = "/api", produces = "application/json")
class ConsoleApi {

    /** One page of executions. */
    record ExecutionPage(List<ExecutionSummary> items, int page, int size, long total, int pages) {
    }

    /** What an action did. */
    record ActionResponse(String result, String message, long auditId) {
    }

    /** The result of restarting several executions at once, per execution. */
    record BulkResponse(Map<Long, ActionResponse> restarted, Map<Long, String> refused) {
    }

    private final ConsoleViews views;
    private final ExecutionReports reports;
    private final ConsoleActions actions;
    private final ActionAudit audit;
    private final InboxFiles inboxFiles;
    private final RunLogCapture runLog;
    private final WorkerRegistry workers;
    private final int pageSize;

    ConsoleApi(ConsoleViews views, ExecutionReports reports, ConsoleActions actions, ActionAudit audit,
            InboxFiles inboxFiles, RunLogCapture runLog, WorkerRegistry workers, ConsoleProperties properties) {
        this.workers = workers;
        this.views = views;
        this.reports = reports;
        this.actions = actions;
        this.audit = audit;
        this.inboxFiles = inboxFiles;
        this.runLog = runLog;
        this.pageSize = properties.pageSize();
    }

    @GetMapping("/executions")
    ExecutionPage executions(@RequestParam(required = false) String definition,
            @RequestParam(required = false) String status, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, @RequestParam(required = false) String input,
            @RequestParam(required = false) String page, @RequestParam(required = false) String size) {
        ExecutionSearch.Query query = ExecutionSearch.Query.parse(definition, status, from, to, input, page, size,
                pageSize);
        ConsoleViews.RunsPage found = views.runs(query);
        return new ExecutionPage(found.runs().stream().map(ConsoleViews.RunRow::summary).toList(), query.page(),
                query.size(), found.page().total(), found.page().pages());
    }

    @GetMapping("/executions/{id}")
    ExecutionDetail execution(@PathVariable String id) {
        return detail(id);
    }

    @GetMapping("/executions/{id}/steps")
    List<StepSummary> steps(@PathVariable String id) {
        return detail(id).steps();
    }

    @GetMapping("/executions/{id}/log")
    List<RunLogCapture.Line> log(@PathVariable String id) {
        long executionId = detail(id).summary().executionId();
        runLog.flush();
        return runLog.lines(executionId, 5000);
    }

    @GetMapping("/executions/{id}/audit")
    List<ActionAudit.Entry> audit(@PathVariable String id) {
        return audit.forExecution(detail(id).summary().executionId());
    }

    @PostMapping("/executions/{id}/restart")
    ResponseEntity<ActionResponse> restart(@PathVariable String id, Principal user) {
        return accepted(actions.restart(ConsoleViews.executionId(id), user.getName()));
    }

    @PostMapping("/executions/{id}/stop")
    ResponseEntity<ActionResponse> stop(@PathVariable String id, Principal user) {
        return accepted(actions.stop(ConsoleViews.executionId(id), user.getName()));
    }

    @PostMapping("/executions/{id}/abandon")
    ResponseEntity<ActionResponse> abandon(@PathVariable String id, Principal user) {
        return accepted(actions.abandon(ConsoleViews.executionId(id), user.getName()));
    }

    /** Restarts several executions: {@code POST /api/executions/restart?ids=41,42}; each one refused says why. */
    @PostMapping("/executions/restart")
    BulkResponse restartMany(@RequestParam(required = false) List<String> ids, Principal user) {
        if (ids == null || ids.isEmpty()) {
            throw ApiException.badRequest("give the executions to restart: ?ids=41,42");
        }
        List<Long> parsed = new ArrayList<>();
        ids.forEach(id -> parsed.add(ConsoleViews.executionId(id)));
        Map<Long, ActionResponse> restarted = new LinkedHashMap<>();
        Map<Long, String> refused = new LinkedHashMap<>();
        for (long id : parsed) {
            try {
                ConsoleActions.Outcome outcome = actions.restart(id, user.getName());
                restarted.put(id, new ActionResponse(outcome.result().name(), outcome.message(), outcome.auditId()));
            }
            catch (ApiException ex) {
                refused.put(id, ex.getMessage());
            }
        }
        return new BulkResponse(restarted, refused);
    }

    @GetMapping("/definitions")
    List<ConsoleViews.DefinitionView> definitions() {
        return views.definitions();
    }

    @GetMapping("/definitions/{name}/files")
    InboxFiles.InboxContents files(@PathVariable String name) {
        return inboxFiles.files(name);
    }

    @PostMapping("/definitions/{name}/files/{file}/retry")
    ResponseEntity<ActionResponse> retry(@PathVariable String name, @PathVariable String file, Principal user) {
        return accepted(actions.retryFile(name, file, user.getName()));
    }

    /** Live workers and those gone in the last hour, with their leases and the executions each owns. */
    @GetMapping("/workers")
    List<WorkerRegistry.Worker> workers() {
        return workers.workers(java.time.Duration.ofHours(1));
    }

    @GetMapping("/audit")
    List<ActionAudit.Entry> recentActions(@RequestParam(required = false) String limit) {
        int count = ExecutionSearch.Query.parse(null, null, null, null, null, null, limit, 50).size();
        return audit.newest(count);
    }

    private ExecutionDetail detail(String id) {
        long executionId = ConsoleViews.executionId(id);
        return reports.show(executionId).orElseThrow(() -> ApiException.notFound("there is no execution " + id));
    }

    private static ResponseEntity<ActionResponse> accepted(ConsoleActions.Outcome outcome) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new ActionResponse(outcome.result().name(), outcome.message(), outcome.auditId()));
    }
}
