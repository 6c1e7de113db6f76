/**
 * Several workers, one job repository: each worker process's identity, its lease in the database
 * (judged by the database's clock), and the registry of workers that {@code workers} lists.
 */
package dev.besworker.cluster;
