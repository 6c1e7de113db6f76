package dev.besworker.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * The emulator's test-only admin API under {@code /_emulator} (served only with
 * {@link EmulatorSettings#admin()}): counters, reset, fault rules, job behaviours and the jobs.
 */
final class AdminApi {

    private final EmulatorSettings settings;
    private final JobEngine engine;
    private final Counters counters;
    private final Faults faults;

    AdminApi(EmulatorSettings settings, JobEngine engine, Counters counters, Faults faults) {
        this.settings = settings;
        this.engine = engine;
        this.counters = counters;
        this.faults = faults;
    }

    Reply handle(EmulatorRequest call) {
        if (!settings.admin()) {
            throw ApiError.notFound("ResourceNotFound", "The admin API is not enabled.");
        }
        List<String> s = call.segments();
        String what = s.size() > 1 ? s.get(1).toLowerCase(Locale.ROOT) : "";
        String method = call.method();
        switch (what) {
            case "counters" -> {
                call.requireMethod("GET");
                return Reply.json(200, countersJson());
            }
            case "reset" -> {
                call.requireMethod("POST");
                engine.reset();
                faults.clear();
                counters.reset();
                return Reply.json(200, Map.of("reset", true));
            }
            case "faults" -> {
                call.requireMethod("GET", "POST", "DELETE");
                if (method.equals("POST")) {
                    List<FaultRule> rules = new ArrayList<>();
                    for (JsonNode node : listOf(call.body())) {
                        rules.add(FaultRule.parse(node));
                    }
                    faults.add(rules);
                }
                else if (method.equals("DELETE")) {
                    faults.clear();
                }
                return Reply.json(200, Map.of("faults", faults.toJson()));
            }
            case "behaviour", "behaviours", "behavior", "behaviors" -> {
                call.requireMethod("GET", "POST", "DELETE");
                if (method.equals("POST")) {
                    List<JobBehaviour.Entry> entries = new ArrayList<>();
                    for (JsonNode node : listOf(call.body())) {
                        entries.add(JobBehaviour.parse(node));
                    }
                    engine.addBehaviours(entries);
                }
                else if (method.equals("DELETE")) {
                    engine.clearBehaviours();
                }
                return Reply.json(200, Map.of("behaviours", engine.behavioursJson()));
            }
            case "jobs" -> {
                call.requireMethod("GET");
                List<Map<String, Object>> list = new ArrayList<>();
                for (Job job : engine.jobs()) {
                    list.add(jobJson(job));
                }
                return Reply.json(200, list);
            }
            default -> throw ApiError.notFound("ResourceNotFound", "No admin resource '" + what
                    + "'; try counters, reset, faults, behaviour, jobs.");
        }
    }

    private Map<String, Object> countersJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("submits", counters.submits.get());
        out.put("submitsByInput", Counters.snapshot(counters.submitsByInput));
        out.put("starts", counters.starts.get());
        out.put("statusCalls", counters.statusCalls.get());
        out.put("deletes", counters.deletes.get());
        out.put("executes", counters.executes.get());
        out.put("requests", Counters.snapshot(counters.requests));
        out.put("faultsFired", counters.faultsFired.get());
        out.put("maxRunning", engine.maxRunning());
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Job job : engine.jobs()) {
            jobs.put(job.id, job.state().adminName);
        }
        out.put("jobs", jobs);
        return out;
    }

    private static Map<String, Object> jobJson(Job job) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", job.id);
        out.put("workspace", job.workspace);
        out.put("service", job.service);
        out.put("state", job.state().adminName);
        out.put("createdAt", job.createdAt.toString());
        Map<String, String> inputs = new LinkedHashMap<>();
        job.spec.inputs().forEach((name, ref) -> inputs.put(name, ref.relativeLocation()));
        out.put("inputs", inputs);
        Map<String, String> outputs = new LinkedHashMap<>();
        Map<String, BlobRef> results = job.results();
        if (results != null) {
            results.forEach((name, ref) -> outputs.put(name, ref.relativeLocation()));
        }
        else {
            job.spec.outputs().forEach((name, ref) -> outputs.put(name, ref.relativeLocation()));
        }
        out.put("outputs", outputs);
        out.put("globalParameters", job.spec.globalParameters());
        out.put("details", job.details());
        return out;
    }

    private static List<JsonNode> listOf(byte[] body) {
        JsonNode root = Reply.JSON.readTree(body);
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("the body must be a JSON object or a list of objects");
        }
        List<JsonNode> out = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(out::add);
        }
        else {
            out.add(root);
        }
        return out;
    }
}
