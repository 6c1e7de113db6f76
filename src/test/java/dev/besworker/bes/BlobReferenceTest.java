package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.besworker.secrets.Secret;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlobReferenceTest {

    private static final String TOKEN = "sv=2025-01-05&sr=b&sp=r&sig=bLoBrEfErEnCeSiG%3D";

    @ParameterizedTest(name = "{0} + {1} + {2}")
    @CsvSource(delimiter = '|', value = {
            // base                                     | relative                | token      | expected
            "http://127.0.0.1:10000/devstoreaccount1/  | container/blob.csv      | ?" + TOKEN + " | http://127.0.0.1:10000/devstoreaccount1/container/blob.csv?" + TOKEN,
            "http://127.0.0.1:10000/devstoreaccount1/  | /container/blob.csv     | ?" + TOKEN + " | http://127.0.0.1:10000/devstoreaccount1/container/blob.csv?" + TOKEN,
            "http://127.0.0.1:10000/devstoreaccount1   | container/blob.csv      | ?" + TOKEN + " | http://127.0.0.1:10000/devstoreaccount1/container/blob.csv?" + TOKEN,
            "http://127.0.0.1:10000/devstoreaccount1   | /container/blob.csv     | ?" + TOKEN + " | http://127.0.0.1:10000/devstoreaccount1/container/blob.csv?" + TOKEN,
            "https://acct.blob.core.windows.net/       | container/blob.csv      | " + TOKEN + "  | https://acct.blob.core.windows.net/container/blob.csv?" + TOKEN,
            "https://ignored.example/                  | https://acct.blob.core.windows.net/c/b.csv | ?" + TOKEN + " | https://acct.blob.core.windows.net/c/b.csv?" + TOKEN,
            "https://acct.blob.core.windows.net/       | c/my report #1.csv      | ?" + TOKEN + " | https://acct.blob.core.windows.net/c/my%20report%20%231.csv?" + TOKEN,
            "https://acct.blob.core.windows.net/       | c/already%20encoded.csv | ?" + TOKEN + " | https://acct.blob.core.windows.net/c/already%20encoded.csv?" + TOKEN})
    void resultUri_joinsBaseRelativeAndTokenTolerantly(String base, String relative, String token, String expected) {
        // given
        BlobReference reference = BlobReference.withSas(base, relative, Secret.of(token));

        // when
        URI uri = reference.resultUri();

        // then
        assertThat(uri).isEqualTo(URI.create(expected));
    }

    @Test
    void resultUri_withoutToken_isThePlainBlobUrl() {
        // given
        BlobReference reference = new BlobReference(null, "c/blob.csv", "https://acct.blob.core.windows.net", null);

        // when
        URI uri = reference.resultUri();

        // then
        assertThat(uri).isEqualTo(URI.create("https://acct.blob.core.windows.net/c/blob.csv"));
    }

    @Test
    void resultUri_absoluteUrlWithAQuery_appendsTheTokenWithAmpersand() {
        // given
        BlobReference reference = BlobReference.withSas(null, "https://acct.blob.core.windows.net/c/b.csv?snapshot=1", Secret.of("?" + TOKEN));

        // when
        URI uri = reference.resultUri();

        // then
        assertThat(uri).isEqualTo(URI.create("https://acct.blob.core.windows.net/c/b.csv?snapshot=1&" + TOKEN));
    }

    @Test
    void resultUri_unicodeBlobName_isKept() {
        // given
        BlobReference reference = BlobReference.withSas("https://acct.blob.core.windows.net/", "c/Überweisungen-März.csv", Secret.of(TOKEN));

        // when
        URI uri = reference.resultUri();

        // then
        assertThat(uri.getPath()).isEqualTo("/c/Überweisungen-März.csv");
        assertThat(uri.toASCIIString()).contains("/c/%C3%9Cberweisungen-M%C3%A4rz.csv?");
    }

    @Test
    void resultUri_withoutBaseForARelativeLocation_failsSayingWhatIsMissing() {
        // given
        BlobReference reference = BlobReference.withConnectionString(Secret.of("UseDevelopmentStorage=true"), "c/b.csv");

        // when / then
        assertThatThrownBy(reference::resultUri).isInstanceOf(IllegalStateException.class).hasMessageContaining("no BaseLocation");
    }

    @Test
    void resultUri_withoutRelativeLocation_fails() {
        // given
        BlobReference reference = new BlobReference(null, null, "https://acct.blob.core.windows.net/", Secret.of(TOKEN));

        // when / then
        assertThatThrownBy(reference::resultUri).isInstanceOf(IllegalStateException.class).hasMessageContaining("no RelativeLocation");
    }

    @Test
    void emptySecretsAndBlankStrings_areAbsent() {
        // given / when
        BlobReference reference = new BlobReference(Secret.empty(), " ", "", Secret.of(null));

        // then
        assertThat(reference.connectionString()).isNull();
        assertThat(reference.relativeLocation()).isNull();
        assertThat(reference.baseLocation()).isNull();
        assertThat(reference.sasBlobToken()).isNull();
        assertThat(reference.hasSas()).isFalse();
    }

    @Test
    void toString_masksConnectionStringAndToken() {
        // given
        String accountKey = "QmxvYlJlZmVyZW5jZVRlc3RLZXk=";
        BlobReference reference = new BlobReference(
                Secret.of("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + accountKey),
                "c/b.csv", "https://a.blob.core.windows.net/", Secret.of("?" + TOKEN));

        // when
        String text = reference.toString();

        // then
        assertThat(text).doesNotContain(accountKey).doesNotContain("bLoBrEfErEnCeSiG").doesNotContain("AccountName")
                .contains("c/b.csv").contains("https://a.blob.core.windows.net/");
    }
}
