package io.mesoslb.server.observe;

/**
 * How the access-log file ({@code access-log-file}) rotates, besides a new file each day.
 *
 * @param maxFileSize  bytes: once the current file has reached this, the next line starts a new file
 * @param maxHistory   days of rotated files kept
 * @param totalSizeCap bytes: the rotated (gzipped) files together at most this, the oldest deleted first
 */
public record AccessLogRotation(long maxFileSize, int maxHistory, long totalSizeCap) {
}
