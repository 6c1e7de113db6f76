-- bes-worker's own tables beside Spring Batch's (H2 and PostgreSQL alike). Every time that decides
-- anything (a lease) is written and compared by the database's clock (CURRENT_TIMESTAMP), never a
-- worker's: clocks of several machines may differ by minutes.

-- Each worker process that runs or claims work: its random id, a lease it renews every heartbeat.
-- A worker whose lease has expired is dead as far as the cluster is concerned; host and pid are
-- shown to people and decide nothing.
CREATE TABLE IF NOT EXISTS BES_WORKER_INSTANCE (
    INSTANCE_ID VARCHAR(36) NOT NULL PRIMARY KEY,
    HOST VARCHAR(255) NOT NULL,
    PID BIGINT NOT NULL,
    COMMAND VARCHAR(40),
    STARTED_AT TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_SEEN TIMESTAMP WITH TIME ZONE NOT NULL,
    LEASE_EXPIRES_AT TIMESTAMP WITH TIME ZONE NOT NULL,
    ENDED_AT TIMESTAMP WITH TIME ZONE
);

-- Who runs each live execution: the owning worker instance, and a stop request for it.
-- HOST, PID, STARTED_AT and HEARTBEAT_AT (the owner's own clock, epoch ms) are for people only.
CREATE TABLE IF NOT EXISTS BES_WORKER_OWNER (
    JOB_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
    HOST VARCHAR(255) NOT NULL,
    PID BIGINT NOT NULL,
    STARTED_AT BIGINT NOT NULL,
    HEARTBEAT_AT BIGINT NOT NULL,
    STOP_REQUESTED BOOLEAN DEFAULT FALSE NOT NULL
);
-- Added by the cluster release; rows written before it have none and count as unowned.
ALTER TABLE BES_WORKER_OWNER ADD COLUMN IF NOT EXISTS INSTANCE_ID VARCHAR(36);

-- One row per job instance that was ever restarted: 'restart' locks it (SELECT ... FOR UPDATE)
-- while it checks the newest execution and creates the next, so that two concurrent restarts
-- create one execution (Spring Batch 6 checks and creates in separate transactions: #5397).
CREATE TABLE IF NOT EXISTS BES_WORKER_RESTART_LOCK (
    JOB_INSTANCE_ID BIGINT NOT NULL PRIMARY KEY
);
