package io.mesoslb.server.auth;

final class Passwords {
    private Passwords() {
    }

    static boolean containsNul(byte[] password) {
        for (byte b : password) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }
}
