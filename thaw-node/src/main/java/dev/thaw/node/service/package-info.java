/**
 * The node agent as a service: its command line, configuration, HTTP server, gateway link, capacity
 * and metrics.
 */
package dev.thaw.node.service;
