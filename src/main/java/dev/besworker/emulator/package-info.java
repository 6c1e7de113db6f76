/**
 * The BES emulator: a local Azure ML Studio (classic) web service running the reference Feature
 * Hashing experiment, for tests and the embedded mode. The worker never imports this package;
 * it talks to the emulator over HTTP like to any service.
 *
 * <h2>Service API</h2>
 * Under {@code /workspaces/{ws}/services/{svc}} (ids: 32 hex characters; any prefix before
 * {@code /workspaces/} is ignored, as behind a gateway), with {@code api-version=2.0} and
 * {@code Authorization: Bearer KEY} (scheme case-insensitive):
 * <ul>
 * <li>{@code POST /jobs} submit; 200 with the id as a JSON string. Input {@code input1}, output {@code output1}.</li>
 * <li>{@code POST /jobs/{id}/start}; 200, empty body. A started job beyond the per-service limit
 * waits FIFO and reports NotStarted; starting it again gives CannotStartJob "... in Queued state.".</li>
 * <li>{@code GET /jobs/{id}} status; {@code DELETE /jobs/{id}} cancels and removes (then 404).</li>
 * <li>{@code GET /jobs} lists {@code [{"Id","StatusCode"}]} (extension).</li>
 * <li>{@code POST /execute?details=true|false} RRS; {@code GET /swagger.json} without auth or version.</li>
 * </ul>
 * Unknown job ids give 404 NotFound/JobNotFound. With a subscription key configured, a call
 * without {@code Ocp-Apim-Subscription-Key} gets the gateway's 401 {@code {"statusCode":401,"message":...}}.
 *
 * <h2>Admin API</h2>
 * Only with {@link dev.besworker.emulator.EmulatorSettings#admin()}; otherwise 404. JSON, no auth.
 * <ul>
 * <li>{@code GET /_emulator/counters}: {@code {"submits":N,"submitsByInput":{"container/blob":N},
 * "starts":N,"statusCalls":N,"deletes":N,"executes":N,"requests":{"submit":N,...},"faultsFired":N,
 * "maxRunning":N,"jobs":{"id":"NotStarted|Queued|Running|Failed|Cancelled|Finished"}}}.
 * {@code submits} counts jobs created; {@code requests} counts every call per operation, faulted
 * or not; {@code maxRunning} is the most jobs seen running at once for one service.</li>
 * <li>{@code GET /_emulator/jobs}: {@code [{"id","workspace","service","state","createdAt",
 * "inputs":{"input1":"c/b"},"outputs":{"output1":"c/b"},"globalParameters":{},"details"}]}.</li>
 * <li>{@code POST /_emulator/reset}: clears counters, faults, behaviours and jobs.</li>
 * <li>{@code POST|GET|DELETE /_emulator/faults}: add (one rule or a list), list, clear; see {@link dev.besworker.emulator.FaultRule}.</li>
 * <li>{@code POST|GET|DELETE /_emulator/behaviour}: add (one or a list), list, clear; see {@link dev.besworker.emulator.JobBehaviour}.</li>
 * </ul>
 */
package dev.besworker.emulator;
