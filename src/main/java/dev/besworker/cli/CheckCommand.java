package dev.besworker.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.embedded.EmbeddedServices;
import dev.besworker.pipeline.LocalServices;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.secrets.Redactor;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.TransferException;
import dev.besworker.staging.TransferListener;

/** {@code check}: proves a definition works before a night depends on it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = { "Checks a definition end to end without scoring: resolves it, writes and deletes a probe blob,",
                "fetches the service's swagger.json and makes one authenticated BES call." })
class CheckCommand extends WorkerCommand {

    /** A job id no service has: the answer tells whether the credentials were accepted. */
    private static final String PROBE_JOB = "00000000000000000000000000000000";

    @Parameters(index = "0", paramLabel = "DEFINITION")
    String definitionName;

    @Override
    protected int execute() throws IOException {
        ScoringEnvironment environment = new ScoringEnvironment(DefinitionLoader.forProcess(), global.jobsDir);
        JobDefinition raw = environment.rawDefinition(definitionName);
        out.println("definition: OK (" + raw.source() + ")");
        EmbeddedServices embedded = null;
        try {
            if (raw.isEmbedded()) {
                embedded = EmbeddedServices.start(global.dataDir.toAbsolutePath());
                environment.useLocalServices(new LocalServices(embedded.besEndpoint(), embedded.apiKey(),
                        embedded.connectionString()));
                out.println("embedded services: OK (emulator at " + embedded.besEndpoint() + ")");
            }
            JobDefinition definition = environment.effective(raw);
            boolean ok = checkStorage(environment, definition);
            ok &= checkBes(environment, definition);
            out.println(ok ? "all checks passed" : "some checks failed");
            return ok ? ExitCodes.COMPLETED : ExitCodes.CONFIGURATION;
        }
        finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private boolean checkStorage(ScoringEnvironment environment, JobDefinition definition) {
        Path probe = null;
        try (BlobStaging staging = environment.openStaging(definition)) {
            probe = Files.createTempFile("bes-worker-probe", ".txt");
            byte[] content = ("bes-worker check " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            Files.write(probe, content);
            String blob = "bes-worker-check/" + UUID.randomUUID() + ".txt";
            staging.upload(probe, blob, MessageDigest.getInstance("MD5").digest(content), TransferListener.NONE, () -> false);
            staging.delete(blob);
            out.println("storage: OK (wrote and deleted a probe blob in container " + definition.storage().container() + ")");
            return true;
        }
        catch (RuntimeException | IOException | NoSuchAlgorithmException ex) {
            // a refusal (403) already says which setting to check
            boolean refused = ex instanceof TransferException transfer && transfer.httpStatus() == 403;
            out.println("storage: FAILED: " + Redactor.scrub(String.valueOf(ex.getMessage()))
                    + (refused ? "" : " (check storage.connection-string and storage.container)"));
            return false;
        }
        finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                }
                catch (IOException ignored) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }

    private boolean checkBes(ScoringEnvironment environment, JobDefinition definition) {
        boolean ok = true;
        try (BesClient bes = environment.openBes(definition)) {
            try {
                String swagger = bes.swagger();
                out.println("BES swagger.json: OK (" + swagger.length() + " characters)");
            }
            catch (BesException ex) {
                out.println("BES swagger.json: FAILED: " + ex.getMessage());
                ok = false;
            }
            try {
                bes.status(PROBE_JOB);
                out.println("BES authenticated call: OK");
            }
            catch (BesException ex) {
                if (ex.isAuthFailure()) {
                    out.println("BES authenticated call: FAILED: " + ex.getMessage());
                    ok = false;
                }
                else if (ex.isServiceNotFound()) {
                    // A 404 about the address, not the probe job: nothing says the credentials work.
                    out.println("BES authenticated call: FAILED: " + ex.getMessage());
                    ok = false;
                }
                else if (ex.isNotFound() || ex.httpStatus() == 400) {
                    out.println("BES authenticated call: OK (credentials accepted; the probe job id is unknown, as expected)");
                }
                else {
                    out.println("BES authenticated call: FAILED: " + ex.getMessage());
                    ok = false;
                }
            }
        }
        return ok;
    }
}
