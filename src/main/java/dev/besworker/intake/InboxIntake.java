package dev.besworker.intake;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;
import org.springframework.integration.file.inbound.FileReadingMessageSource;

import dev.besworker.definition.InboxSettings;

/**
 * Watches the definitions' inbox folders with Spring Integration: per inbox, a polled
 * {@link FileReadingMessageSource} whose {@link InboxFileFilters} let through only settled,
 * non-temporary files matching the pattern (and, for a scheduled definition, only those released
 * by its schedule), a {@link FileMessageToInboxWork} transformer, and a handler that hands the
 * work to the sink (the serve dispatcher, which claims and scores it when a slot is free). The
 * flows are registered at run time, one per inbox, and start and stop together.
 */
public class InboxIntake {

    private static final Logger log = LoggerFactory.getLogger(InboxIntake.class);

    private record Watched(Inbox inbox, InboxFileFilters filters, IntegrationFlowRegistration registration) {
    }

    private final IntegrationFlowContext flows;
    private final Duration pollInterval;
    private final Clock clock;
    private final Map<String, Watched> watched = new LinkedHashMap<>();

    public InboxIntake(IntegrationFlowContext flows, Duration pollInterval, Clock clock) {
        this.flows = flows;
        this.pollInterval = pollInterval;
        this.clock = clock;
    }

    /**
     * Registers (without starting) the flow of one definition's inbox.
     *
     * @param definition the definition's name
     * @param settings its inbox settings
     * @param scheduled whether files wait for the definition's schedule
     * @param sink where the work for each settled file goes
     */
    public synchronized Inbox watch(String definition, InboxSettings settings, boolean scheduled,
            Consumer<InboxWork> sink) throws IOException {
        Inbox inbox = new Inbox(definition, settings.dir());
        inbox.createFolders();
        InboxFileFilters filters = new InboxFileFilters(settings.pattern(), settings.settle(), scheduled, clock);
        FileReadingMessageSource source = new FileReadingMessageSource();
        source.setDirectory(inbox.dir().toFile());
        source.setFilter(filters.chain());
        source.setAutoCreateDirectory(true);
        IntegrationFlow flow = IntegrationFlow
                .from(source, adapter -> adapter.poller(Pollers.fixedDelay(pollInterval).maxMessagesPerPoll(1000))
                        .autoStartup(false))
                .transform(new FileMessageToInboxWork(inbox), "toWork")
                .handle(message -> sink.accept((InboxWork) message.getPayload()))
                .get();
        IntegrationFlowRegistration registration = flows.registration(flow).id("inbox." + definition)
                .autoStartup(false).register();
        watched.put(definition, new Watched(inbox, filters, registration));
        log.info("inbox {}: watching {} for {} (settle {}{})", definition, inbox.dir(), settings.pattern(),
                settings.settle(), scheduled ? ", files wait for the schedule" : "");
        return inbox;
    }

    /** The watched inboxes. */
    public synchronized List<Inbox> inboxes() {
        return watched.values().stream().map(Watched::inbox).toList();
    }

    /** Starts every registered flow. */
    public synchronized void start() {
        watched.values().forEach(w -> w.registration().start());
    }

    /** Stops every flow: no file is taken from an inbox after this returns. */
    public synchronized void stop() {
        watched.values().forEach(w -> {
            try {
                w.registration().stop();
            }
            catch (RuntimeException ex) {
                log.warn("inbox {}: could not stop its watcher: {}", w.inbox().definition(), ex.getMessage());
            }
        });
    }

    /** Stops and removes every flow. */
    public synchronized void close() {
        stop();
        watched.values().forEach(w -> flows.remove(w.registration().getId()));
        watched.clear();
    }

    /**
     * Releases the files now waiting in a scheduled definition's inbox (each still has to
     * settle); files arriving later wait for the next firing.
     *
     * @return how many files were released
     */
    public int release(String definition) {
        Watched w;
        synchronized (this) {
            w = watched.get(definition);
        }
        if (w == null || w.filters().gate() == null) {
            return 0;
        }
        List<File> present = new ArrayList<>();
        try (Stream<Path> files = Files.list(w.inbox().dir())) {
            files.map(Path::toFile).filter(w.filters()::candidate).forEach(present::add);
        }
        catch (IOException ex) {
            log.warn("inbox {}: cannot list {}: {}", definition, w.inbox().dir(), ex.getMessage());
        }
        w.filters().gate().release(present);
        return present.size();
    }

    /**
     * Re-arms a file's name once the file has left the inbox (claimed, or vanished), so that a
     * new file dropped under the same name is taken again.
     */
    public void forget(InboxWork work, Path waitingPath) {
        Watched w;
        synchronized (this) {
            w = watched.get(work.definition());
        }
        if (w != null) {
            w.filters().forget(waitingPath.toFile());
        }
    }
}
