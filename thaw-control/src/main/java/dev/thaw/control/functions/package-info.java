/**
 * What a deployed function is: its record, settings, the view the API returns, and reading uploaded
 * function archives.
 */
package dev.thaw.control.functions;
