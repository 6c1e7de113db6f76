package dev.besworker.intake;

import java.io.File;

import org.springframework.integration.annotation.Transformer;
import org.springframework.integration.file.FileHeaders;
import org.springframework.messaging.Message;

import dev.besworker.runs.ScoringRuns;

/**
 * Turns the message of a settled inbox file into the work of scoring it, in the manner of Spring
 * Batch Integration's {@code FileMessageToJobRequest}. It does not build a
 * {@code JobLaunchRequest}: a scoring run's job parameters (its identity from the file's hash)
 * are made by {@link dev.besworker.runs.ScoringRuns}, after the file is claimed and hashed.
 */
public class FileMessageToInboxWork {

    private final Inbox inbox;

    public FileMessageToInboxWork(Inbox inbox) {
        this.inbox = inbox;
    }

    /** The work for the file in the message. */
    @Transformer
    public InboxWork toWork(Message<File> message) {
        File file = message.getHeaders().get(FileHeaders.ORIGINAL_FILE, File.class);
        return InboxWork.waiting(inbox, (file != null ? file : message.getPayload()).toPath().toAbsolutePath());
    }
}
