/**
 * One scoring run as a Spring Batch job: validate, upload, submit, start, await, download, clean
 * up, each step a tasklet that checkpoints so a restart resumes where the run stopped.
 */
package dev.besworker.pipeline;
