package dev.besworker.intake;

/**
 * Who this worker is among the workers sharing one repository, and whether another one is still
 * alive. Claims of inbox files, run slots and schedule firings are recorded under a worker's
 * instance id; a claim whose worker is no longer alive (its lease expired, judged by the
 * database's clock) may be taken over.
 */
public interface WorkerLiveness {

    /** This worker's instance id (random per process start). */
    String self();

    /** Whether the worker of that instance id is alive now (this worker always is). */
    boolean isLive(String instanceId);
}
