package dev.thaw.control.registry;

/** Another writer changed the function's record since it was read; read again and retry. Answered with 409. */
public final class RegistryConflictException extends Exception {
    public RegistryConflictException(String message) {
        super(message);
    }
}
