/**
 * Several workers, one job repository: each worker process's identity, its lease in the database
 * (judged by the database's clock), the registry of workers that {@code workers} lists, and the
 * repository's schema, created one worker at a time and only where missing.
 */
package dev.besworker.cluster;
