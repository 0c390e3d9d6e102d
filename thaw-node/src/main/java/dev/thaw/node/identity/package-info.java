/**
 * A node's identity: the credential it keeps after joining a gateway, and the tokens it accepts.
 */
package dev.thaw.node.identity;
