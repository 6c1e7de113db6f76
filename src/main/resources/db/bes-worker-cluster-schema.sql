-- Work shared by several serve workers on one repository (H2 and PostgreSQL).

-- Inbox claims: Spring Integration's JdbcMetadataStore (table prefix BES_WORKER_, region INBOX_CLAIM).
-- Key: definition, file name, size and modification time; value: the claiming worker's instance id and time.
-- The insert that wins the primary key claims the file; a dead worker's claim is taken by compare-and-set.
CREATE TABLE IF NOT EXISTS BES_WORKER_METADATA_STORE (
    METADATA_KEY VARCHAR(255) NOT NULL,
    METADATA_VALUE VARCHAR(4000),
    REGION VARCHAR(100) NOT NULL,
    CONSTRAINT BES_WORKER_METADATA_STORE_PK PRIMARY KEY (METADATA_KEY, REGION)
);

-- Schedule firings (and the daily purge): one row per definition and scheduled instant, so each time
-- fires once per cluster. COVERS_UNTIL: the time up to which missed times are accounted for.
CREATE TABLE IF NOT EXISTS BES_WORKER_SCHEDULE_FIRING (
    DEFINITION_NAME VARCHAR(255) NOT NULL,
    SCHEDULED_AT BIGINT NOT NULL,
    COVERS_UNTIL BIGINT NOT NULL,
    KIND VARCHAR(16) NOT NULL,
    FIRED_BY VARCHAR(64) NOT NULL,
    FIRED_AT BIGINT NOT NULL,
    CONSTRAINT BES_WORKER_SCHEDULE_FIRING_PK PRIMARY KEY (DEFINITION_NAME, SCHEDULED_AT)
);

-- Run slots of definitions with max-concurrent-jobs, counted across the cluster: a worker holds
-- slot N of a definition while one of its runs goes on; a dead worker's slots are freed.
CREATE TABLE IF NOT EXISTS BES_WORKER_SLOT (
    DEFINITION_NAME VARCHAR(255) NOT NULL,
    SLOT_NO INT NOT NULL,
    INSTANCE_ID VARCHAR(64) NOT NULL,
    TAKEN_AT BIGINT NOT NULL,
    CONSTRAINT BES_WORKER_SLOT_PK PRIMARY KEY (DEFINITION_NAME, SLOT_NO)
);
