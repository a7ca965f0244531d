package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteOptionsTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    @Test
    void turningOneOnIsATableChange() {
        RouteTable plain = builder.build(List.of(app("/www", 2)), RouteTable.EMPTY, 1);
        RouteTable https = builder.build(List.of(app("/www", 2, RouteSpec.DEFAULT.withOptions(RouteOptions.of(true, false)))), plain, 2);
        assertThat(https.routeForApp("/www").httpsOnly()).isTrue();
        assertThat(https.sameContent(plain)).isFalse();
    }

    @Test
    void theBackendProtocolIsHttp1UnlessSaidAndChangingItIsATableChange() {
        assertThat(RouteOptions.NONE.protocol()).isEqualTo(BackendProtocol.HTTP1);
        RouteTable plain = builder.build(List.of(app("/grpc", 2)), RouteTable.EMPTY, 1);
        RouteTable h2c = builder.build(List.of(app("/grpc", 2,
                RouteSpec.DEFAULT.withOptions(RouteOptions.NONE.withProtocol(BackendProtocol.H2C)))), plain, 2);
        assertThat(h2c.routeForApp("/grpc").options().protocol()).isEqualTo(BackendProtocol.H2C);
        assertThat(h2c.sameContent(plain)).isFalse();
        // Every other switch keeps it.
        assertThat(RouteOptions.NONE.withProtocol(BackendProtocol.H2C).withBalance(Balance.LEAST_CONN).withSslCert("/x.pem")
                .withPathIgnoreCase(true).protocol()).isEqualTo(BackendProtocol.H2C);
    }

    @Test
    void aStickyTokenFindsItsBackendWhileItIsRoutedAndNotEjected() {
        RouteTable table = builder.build(List.of(app("/www", 3, RouteSpec.DEFAULT.withOptions(RouteOptions.of(false, true)))), RouteTable.EMPTY, 1);
        Route route = table.routeForApp("/www");
        BackendState second = route.backends().get(1);
        String token = second.backend().stickyToken();

        assertThat(route.sticky()).isTrue();
        assertThat(route.selectSticky(token)).isSameAs(second);
        assertThat(route.selectSticky("0")).isNull();
        assertThat(route.selectSticky(null)).isNull();
        // The same on every balancer: it depends on the task, not on this process.
        assertThat(token).isEqualTo(Fixtures.backend("/www", 1).stickyToken());
        assertThat(route.backends()).extracting(s -> s.backend().stickyToken()).doesNotHaveDuplicates();
    }
}
