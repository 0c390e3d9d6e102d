/**
 * Keep-alive policies that decide how long idle instances stay warm, and when to prefetch snapshots
 * ahead of demand.
 */
package dev.thaw.control.keepalive;
