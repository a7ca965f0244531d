package io.mesoslb.server.config;

import io.mesoslb.discovery.UrlCredentials;
import java.util.List;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Picocli's parse errors in this program's words. Values are quoted only where a conversion failed
 * (a port, a number, a switch): never a stray argument's credentials, never the value of an
 * unknown flag, which may be a password given under a mistyped name.
 */
final class FlagErrors {
    private FlagErrors() {
    }

    /** @param where what the flags came from, e.g. {@code "config file x.yaml: "}; empty for the command line */
    static void describe(List<Exception> errors, String where, Suggestions suggest, ConfigProblems p) {
        for (Exception e : errors) {
            if (e instanceof UnmatchedArgumentException unmatched) {
                for (String arg : unmatched.getUnmatched()) {
                    p.add(where + unexpected(arg, suggest));
                }
            } else if (e instanceof MissingParameterException missing) {
                for (ArgSpec arg : missing.getMissing()) {
                    p.add(where + name(arg) + " needs a value (see --help)");
                }
            } else if (e instanceof ParameterException bad && bad.getArgSpec() != null && bad.getCause() != null) {
                p.add(where + name(bad.getArgSpec()).replaceFirst("^--", "") + ": " + bad.getCause().getMessage());
            } else {
                p.add(where + e.getMessage());
            }
        }
    }

    private static String unexpected(String arg, Suggestions suggest) {
        if (arg.startsWith("--") && arg.length() > 2) {
            int eq = arg.indexOf('=');
            String flag = eq > 0 ? arg.substring(0, eq) : arg;
            return "unknown flag '" + flag + "'" + suggest.didYouMean(flag.substring(2), "--");
        }
        // Redacted: a stray argument is often the second of two URLs after one flag.
        return "unexpected argument '" + UrlCredentials.redact(arg) + "' (flags look like --listen-port=8080; see --help)";
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
    }
}
