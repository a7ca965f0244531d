package io.mesoslb.server.observe;

/**
 * The {@code status} label of {@code mesoslb_requests_total}: the exact code for the codes a proxy
 * commonly answers or relays (so 502, 503 and 504 stay apart), the class ({@code 2xx} .. {@code 5xx})
 * for any other. That bounds the label to {@link #SLOTS} values per app, whatever backends send.
 */
public final class StatusLabel {
    /** The codes kept exact: what the proxy itself answers (README "Errors a client can see") and what backends commonly send. */
    static final int[] EXACT = {
        101, 200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308,
        400, 401, 403, 404, 405, 408, 409, 410, 413, 414, 429, 431, 499,
        500, 501, 502, 503, 504, 505,
    };
    static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    /** How many label values there can be: the exact codes, then the five classes. */
    public static final int SLOTS = EXACT.length + CLASSES.length;

    private static final short[] SLOT_OF = new short[600];
    private static final String[] LABEL = new String[SLOTS];
    private static final byte[] CLASS_OF = new byte[SLOTS];

    static {
        for (int i = 0; i < SLOT_OF.length; i++) {
            SLOT_OF[i] = (short) (EXACT.length + Math.max(0, i / 100 - 1));
        }
        for (int i = 0; i < EXACT.length; i++) {
            SLOT_OF[EXACT[i]] = (short) i;
            LABEL[i] = Integer.toString(EXACT[i]);
            CLASS_OF[i] = (byte) (EXACT[i] / 100 - 1);
        }
        for (int c = 0; c < CLASSES.length; c++) {
            LABEL[EXACT.length + c] = CLASSES[c];
            CLASS_OF[EXACT.length + c] = (byte) c;
        }
    }

    private StatusLabel() {
    }

    /** The slot of {@code status}; codes outside 100..599 count as {@code 1xx} or {@code 5xx}, as they are clamped. */
    static int slot(int status) {
        int s = status < 100 ? 100 : Math.min(status, 599);
        return SLOT_OF[s];
    }

    /** The label value of a slot: a code such as {@code 502}, or a class such as {@code 4xx}. */
    static String label(int slot) {
        return LABEL[slot];
    }

    /** The class index of a slot: 0 = 1xx .. 4 = 5xx. */
    static int classOf(int slot) {
        return CLASS_OF[slot];
    }

    /** The label value {@code status} is counted under. */
    public static String of(int status) {
        return label(slot(status));
    }
}
