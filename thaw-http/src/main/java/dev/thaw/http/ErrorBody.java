package dev.thaw.http;

/** Every error answer's body: a short code and a message for the caller. */
public record ErrorBody(String error, String message) {
}
