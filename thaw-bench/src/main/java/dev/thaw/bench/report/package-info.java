/**
 * Turning load records into summaries, charts and the Markdown evaluation report, with the thesis
 * figures beside them.
 */
package dev.thaw.bench.report;
