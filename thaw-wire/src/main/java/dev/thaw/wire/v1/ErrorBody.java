package dev.thaw.wire.v1;

/**
 * The JSON body of every error response from Thaw's HTTP APIs.
 *
 * @param error a short machine-readable code, e.g. {@code unknown_function}
 * @param message what went wrong and what to do, for people
 */
public record ErrorBody(String error, String message) {
}
