package dev.besworker.definition;

import java.net.URI;
import java.util.Objects;

/**
 * Where run outcomes are posted ({@code notify:} in a job definition). Failures are always
 * posted; successes only with {@code onSuccess}.
 *
 * <p>Webhook URLs often carry their credential in the path (chat webhooks do), so
 * {@link #toString()} shows only the scheme and host, and the loader registers the URL with the
 * Redactor.
 */
public record NotifySettings(URI webhook, boolean onSuccess) {

    public NotifySettings {
        Objects.requireNonNull(webhook, "webhook");
    }

    @Override
    public String toString() {
        return "NotifySettings[webhook=" + webhook.getScheme() + "://" + webhook.getRawAuthority() + "/***, onSuccess="
                + onSuccess + "]";
    }
}
