/**
 * HTTP plumbing of Thaw's APIs: what every endpoint does alike (bearer tokens, bounded bodies, JSON
 * and error responses), the client the gateway calls nodes with, and listen addresses.
 */
package dev.thaw.node.http;
