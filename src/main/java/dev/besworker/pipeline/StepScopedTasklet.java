package dev.besworker.pipeline;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;

/**
 * Spring Batch's step scope ({@code @StepScope}) for a tasklet bean, behind an interface proxy.
 * {@code @StepScope} proxies the tasklet's class with CGLIB, which generates and loads one class
 * per tasklet at every start (seven: about 0.1 s of CPU on the critical path of each command's
 * start); the job only calls the tasklets through their interfaces ({@code Tasklet},
 * {@code StoppableTasklet}), for which a JDK proxy does the same at no start-up cost.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Scope(value = "step", proxyMode = ScopedProxyMode.INTERFACES)
@interface StepScopedTasklet {
}
