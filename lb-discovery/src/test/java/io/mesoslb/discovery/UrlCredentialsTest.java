package io.mesoslb.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrlCredentialsTest {

    @Test
    void userinfoIsSplitAtTheFirstColonThenPercentDecodedAsCurlDoes() {
        UrlCredentials c = UrlCredentials.of(URI.create("http://ops%40corp:p%3Ass:w%2Fo%25rd%C3%A9@m1:8080"));

        assertThat(c.user()).isEqualTo("ops@corp");
        assertThat(c.password()).isEqualTo("p:ss:w/o%rdé");
        assertThat(UrlCredentials.of(URI.create("http://m1:8080"))).isNull();
    }

    @Test
    void aUserWithoutAPasswordIsRefusedWithoutNamingIt() {
        for (String url : List.of("http://tok3n@m1:8080", "http://tok3n:@m1:8080", "http://:tok3n@m1:8080")) {
            assertThatThrownBy(() -> UrlCredentials.of(URI.create(url)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("http://m1:8080")
                    .hasMessageContaining("user and a password")
                    .hasMessageNotContaining("tok3n");
        }
    }

    @Test
    void oneSetOfCredentialsForAllTheUrls() {
        List<URI> same = List.of(URI.create("http://lb:s3cret@m1:8080"), URI.create("http://m2:8080"),
                URI.create("http://lb:s3cret@m3:8080"));
        assertThat(UrlCredentials.common(same)).isEqualTo(new UrlCredentials("lb", "s3cret"));
        assertThat(UrlCredentials.common(List.of(URI.create("http://m1:8080")))).isNull();

        assertThatThrownBy(() -> UrlCredentials.common(List.of(URI.create("http://lb:s3cret@m1:8080"),
                URI.create("http://lb:other@m2:8080"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different credentials")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("other");
    }

    @Test
    void strippingKeepsEveryOtherPartAsItWas() {
        assertThat(UrlCredentials.strip(URI.create("https://lb:s3cret@[::1]:8443/service/mar%2Fathon?a=b%20c#f")))
                .isEqualTo(URI.create("https://[::1]:8443/service/mar%2Fathon?a=b%20c#f"));
        URI plain = URI.create("http://m1:8080/");
        assertThat(UrlCredentials.strip(plain)).isSameAs(plain);
    }

    @Test
    void redactedTextHasNoUserinfoEvenWhenItIsNoUrl() {
        assertThat(UrlCredentials.redact("http://lb:s3cret@m1:8080/x")).isEqualTo("http://m1:8080/x");
        // A bare '/' in the password: no URL parses, and the cut goes to the last '@'.
        assertThat(UrlCredentials.redact("http://lb:s3/cret@m1:8080")).isEqualTo("http://m1:8080");
        assertThat(UrlCredentials.redact("lb:s3cret@m1:8080")).isEqualTo("m1:8080");
        assertThat(UrlCredentials.redact("ftp://lb:s3cret@m1")).isEqualTo("ftp://m1");
        assertThat(UrlCredentials.redact("http://m1:8080")).isEqualTo("http://m1:8080");
        assertThat(UrlCredentials.redact(null)).isNull();
    }

    @Test
    void toStringHidesBoth() {
        assertThat(new UrlCredentials("tok3n", "s3cret").toString()).doesNotContain("tok3n").doesNotContain("s3cret");
    }
}
