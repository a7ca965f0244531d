package io.mesoslb.discovery.marathon;

/**
 * One dispatched Server-Sent Event.
 *
 * @param type the {@code event:} field, or {@code message} when there was none
 * @param data the {@code data:} lines joined with {@code \n}
 * @param id   the last {@code id:} seen on the stream, or empty
 */
record SseEvent(String type, String data, String id) {
}
