/**
 * Inbox folders: watching them (Spring Integration file adapters), claiming each settled file for
 * exactly one worker of the cluster (a claim in the database, then a rename), and scoring it to done/ or failed/.
 */
package dev.besworker.intake;
