package io.mesoslb.server.service;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.RouteFinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import java.time.Duration;

/**
 * Puts the service ports on a running balancer: a listener per port the table assigns, tcp ports
 * relayed by {@link TcpServiceInitializer}, http ports served by the proxy's own client pipeline
 * with the port's app as the only route.
 */
public final class ServicePorts {
    private ServicePorts() {
    }

    /**
     * Starts following {@code routes}; the ports of the current table open at once.
     *
     * @param template the proxy listener's bootstrap: groups, channel, options and connection limit
     * @param clients  every client connection of the balancer, for its drain and shutdown
     * @param registry where the ports' meters go
     */
    public static ServicePortListeners open(ServerBootstrap template, String bindHost, PortRange range, Duration drain,
                                            RouteTableHolder routes, BackendPools pools, ProxySettings proxy,
                                            BackendOutcomes outcomes, ChannelGroup clients, ProxyOps ops,
                                            MeterRegistry registry) {
        ServicePortMetrics metrics = new ServicePortMetrics(registry);
        AccessLog accessLog = ops.accessLog() != null && ops.accessLog().isEnabled() ? ops.accessLog() : null;
        ServicePortListeners.ChildHandlers handlers = (port, mode, children) -> mode == ServicePort.Mode.TCP
                ? new TcpServiceInitializer(port, routes, pools, outcomes, proxy, metrics, accessLog, children, clients)
                : ServicePortListeners.joining(children, new ClientChannelInitializer(routes,
                        RouteFinder.byServicePort(port), pools, proxy, outcomes, clients, ops));
        EventLoop control = (EventLoop) template.config().group().next();
        ServicePortListeners listeners = new ServicePortListeners(control, template, handlers, bindHost, range, drain,
                metrics::bindFailed);
        routes.addListener(listeners);
        listeners.tableChanged(null, routes.current());
        return listeners;
    }
}
