/**
 * The request and response records of the node's HTTP API.
 */
package dev.thaw.node.api;
