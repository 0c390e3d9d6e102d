/** The gateway's API: the user API, the membership endpoints nodes call, and its routes. */
package dev.thaw.wire.v1.gateway;
