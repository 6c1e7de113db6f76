package dev.besworker.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void registeredSecret_isMaskedWherever_itAppears() {
        // given
        Secret key = Secret.of("canary-api-key-0123456789");

        // when
        String scrubbed = Redactor.scrub("calling with canary-api-key-0123456789 now");

        // then
        assertThat(scrubbed).doesNotContain(key.reveal()).contains(Redactor.MASK);
        assertThat(key.toString()).doesNotContain(key.reveal());
    }

    @Test
    void secretShapedParts_areMasked_evenWhenNeverRegistered() {
        // given
        String text = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;"
                + " url https://a.blob.core.windows.net/c/b.csv?sv=2021&sig=abcDEF%2B123&se=2026 "
                + "Authorization: Bearer abcdefghijklmnop api-key=ABCDEFGHIJKLMNOPQRSTUV";

        // when
        String scrubbed = Redactor.scrub(text);

        // then
        assertThat(scrubbed).doesNotContain("c2VjcmV0LWtleS12YWx1ZQ", "abcDEF%2B123", "abcdefghijklmnop",
                "ABCDEFGHIJKLMNOPQRSTUV");
        assertThat(scrubbed).contains("AccountName=a", "sv=2021", "se=2026");
    }

    @Test
    void proseAboutAnApiKey_isLeftReadable() {
        // when
        String scrubbed = Redactor.scrub("jobs/x.yml: bes.api-key: missing; set it to ${BES_API_KEY}");

        // then
        assertThat(scrubbed).isEqualTo("jobs/x.yml: bes.api-key: missing; set it to ${BES_API_KEY}");
    }

    @Test
    void emptySecret_printsAsNone_andMasksNothing() {
        assertThat(Secret.of("  ").isEmpty()).isTrue();
        assertThat(Secret.empty().toString()).isEqualTo("(none)");
        assertThat(Redactor.scrub("nothing secret here")).isEqualTo("nothing secret here");
    }
}
