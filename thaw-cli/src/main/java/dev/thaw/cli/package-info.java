/**
 * The {@code thaw} command line: one picocli command per verb, the option mixins they share, and
 * the local workbench they run on.
 */
package dev.thaw.cli;
