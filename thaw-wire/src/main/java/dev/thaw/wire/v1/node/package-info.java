/** The node agent's API: what the gateway sends a node and what a node reports, and its routes. */
package dev.thaw.wire.v1.node;
