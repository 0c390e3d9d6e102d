/**
 * The gateway: its configuration, HTTP API, client and metrics, tying deployment, routing,
 * keep-alive and membership together.
 */
package dev.thaw.control;
