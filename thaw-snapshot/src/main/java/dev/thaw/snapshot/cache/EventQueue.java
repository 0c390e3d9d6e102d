package dev.thaw.snapshot.cache;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Delivers cache events outside the cache's lock, yet in the order the changes happened: events
 * are queued while the lock is held and delivered one at a time afterwards, so a slow listener
 * never stalls the cache's index and a listener never sees REMOVED before the ADDED it follows.
 */
final class EventQueue {

    private static final Logger LOG = System.getLogger(EventQueue.class.getName());

    private record Delivery(CacheEvent event, List<Consumer<CacheEvent>> recipients) {}

    private final Queue<Delivery> pending = new ConcurrentLinkedQueue<>();
    private final Object deliveryLock = new Object();
    /** Replaced, never modified, so each delivery keeps the recipients it was queued for. */
    private volatile List<Consumer<CacheEvent>> listeners = List.of();

    /** Call with the cache's lock held, so that the registration is ordered with the queued events. */
    void add(Consumer<CacheEvent> listener) {
        List<Consumer<CacheEvent>> more = new ArrayList<>(listeners);
        more.add(listener);
        listeners = List.copyOf(more);
    }

    /** Call with the cache's lock held. */
    void queue(CacheEvent.Kind kind, StoredEntry entry) {
        if (!listeners.isEmpty()) {
            pending.add(new Delivery(new CacheEvent(kind, entry.key, entry.bytes), listeners));
        }
    }

    /** Call with the cache's lock held: an event for one listener only. */
    void queue(CacheEvent.Kind kind, StoredEntry entry, Consumer<CacheEvent> listener) {
        pending.add(new Delivery(new CacheEvent(kind, entry.key, entry.bytes), List.of(listener)));
    }

    /** Call without the cache's lock: delivers whatever is queued, including other threads' events. */
    void deliver() {
        synchronized (deliveryLock) {
            Delivery delivery;
            while ((delivery = pending.poll()) != null) {
                for (Consumer<CacheEvent> listener : delivery.recipients()) {
                    try {
                        listener.accept(delivery.event());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "node cache listener failed on " + delivery.event(), e);
                    }
                }
            }
        }
    }
}
