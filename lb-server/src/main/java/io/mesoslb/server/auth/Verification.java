package io.mesoslb.server.auth;

/** The outcome of checking a password against a crypt(3) hash. */
public enum Verification {
    MATCH,
    MISMATCH,
    /**
     * This process cannot check the hash (its family is unsupported here, or the hash is malformed):
     * the caller must fail closed, and not tell the client its password was wrong.
     */
    UNVERIFIABLE
}
