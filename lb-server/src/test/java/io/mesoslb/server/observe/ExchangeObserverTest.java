package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.testing.AccessLogCapture;
import io.mesoslb.server.transport.ClientAddressResolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.CidrList;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The observer alone, told of an in-memory client's requests and responses as the exchange tells it:
 * the exchanges it sees begin and end, read from the access log lines it writes (status and body
 * bytes are fields of each line; one line per exchange).
 */
class ExchangeObserverTest {
    @RegisterExtension
    final AccessLogCapture log = new AccessLogCapture();

    private ExchangeObserver observer;
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** Made once the capture has the access log on: an observer decides when it is made whether it logs. */
    private void open() {
        observer = new ExchangeObserver(new ProxyOps(null, new AccessLog(), null, null,
                new ClientAddressResolver(CidrList.EMPTY), CidrList.EMPTY, null, null, null));
        channel = new EmbeddedChannel();
    }

    /** As the exchange writes a response message to the client: the observer hears of it, then it goes. */
    private void write(Object msg) {
        observer.written(msg);
        ReferenceCountUtil.release(msg);
    }

    private void request(HttpMethod method, String uri) {
        observer.begin(channel, new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri), System.nanoTime());
    }

    private void respond(int status, String... body) {
        write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status)));
        for (String piece : body) {
            write(new DefaultHttpContent(Unpooled.copiedBuffer(piece, StandardCharsets.US_ASCII)));
        }
        write(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Each line's request, status and bytes: {@code "GET /a HTTP/1.1" 200 5}. */
    private List<String> exchanges() {
        return log.lines().stream().map(l -> {
            int start = l.indexOf('"');
            int end = l.indexOf(' ', l.indexOf(' ', l.indexOf('"', start + 1) + 2) + 1);
            return l.substring(start, end);
        }).toList();
    }

    @Test
    void eachExchangeIsLoggedOnceWithItsStatusAndBodyBytes() {
        open();
        request(HttpMethod.GET, "/a");
        respond(200, "hello", " world");
        request(HttpMethod.GET, "/b");
        respond(404);

        assertThat(exchanges()).containsExactly("\"GET /a HTTP/1.1\" 200 11", "\"GET /b HTTP/1.1\" 404 -");
    }

    @Test
    void theBodyOfAResponseToHeadIsNotCounted() {
        open();
        request(HttpMethod.HEAD, "/");
        // What a backend's Content-Length says, written as a body the codec drops for HEAD.
        respond(200, "12345");

        assertThat(exchanges()).containsExactly("\"HEAD / HTTP/1.1\" 200 -");
    }

    @Test
    void anInterimResponseWrittenWholeDoesNotEndTheExchange() {
        open();
        request(HttpMethod.POST, "/upload");
        write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        assertThat(log.lines()).isEmpty();

        respond(201, "ok");

        assertThat(exchanges()).containsExactly("\"POST /upload HTTP/1.1\" 201 2");
    }

    @Test
    void switchingProtocolsEndsTheExchangeAtTheHead() {
        open();
        request(HttpMethod.GET, "/ws");

        write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));

        assertThat(exchanges()).containsExactly("\"GET /ws HTTP/1.1\" 101 -");
        // Whatever follows is tunnelled bytes, and the connection's close logs nothing more.
        observer.clientClosed();
        assertThat(log.lines()).hasSize(1);
    }

    @Test
    void aClientThatLeavesBeforeAnyResponseIsLogged499() {
        open();
        request(HttpMethod.GET, "/slow");

        observer.clientClosed();

        assertThat(exchanges()).containsExactly("\"GET /slow HTTP/1.1\" 499 -");
    }

    @Test
    void aClientThatLeavesMidResponseIsLoggedWithTheStatusSent() {
        open();
        request(HttpMethod.GET, "/big");
        write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        write(new DefaultHttpContent(Unpooled.copiedBuffer("part", StandardCharsets.US_ASCII)));

        observer.clientClosed();

        assertThat(exchanges()).containsExactly("\"GET /big HTTP/1.1\" 200 4");
    }

    @Test
    void anAnswerBeforeAnyRequestHeadIsAnExchangeOfItsOwn() {
        open();

        // A 408 for a head that never completed.
        write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII)));

        assertThat(log.lines()).hasSize(1);
        assertThat(log.lines().get(0)).contains(" 408 4 ");
    }
}
