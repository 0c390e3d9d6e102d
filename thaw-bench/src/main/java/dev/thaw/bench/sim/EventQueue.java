package dev.thaw.bench.sim;

import java.util.Arrays;

/** A binary min-heap of timed events in primitive arrays: kind, subject (instance or function) and generation. */
final class EventQueue {
    private double[] time = new double[1024];
    private int[] kind = new int[1024];
    private int[] subject = new int[1024];
    private int[] generation = new int[1024];
    private int size;

    int size() {
        return size;
    }

    double peekTime() {
        return size == 0 ? Double.POSITIVE_INFINITY : time[0];
    }

    int peekKind() {
        return kind[0];
    }

    int peekSubject() {
        return subject[0];
    }

    int peekGeneration() {
        return generation[0];
    }

    void push(double at, int eventKind, int eventSubject, int eventGeneration) {
        if (size == time.length) {
            int grown = size * 2;
            time = Arrays.copyOf(time, grown);
            kind = Arrays.copyOf(kind, grown);
            subject = Arrays.copyOf(subject, grown);
            generation = Arrays.copyOf(generation, grown);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (time[parent] <= at) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        time[i] = at;
        kind[i] = eventKind;
        subject[i] = eventSubject;
        generation[i] = eventGeneration;
    }

    void pop() {
        size--;
        if (size == 0) {
            return;
        }
        double at = time[size];
        int k = kind[size];
        int s = subject[size];
        int g = generation[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && time[child + 1] < time[child]) {
                child++;
            }
            if (time[child] >= at) {
                break;
            }
            move(child, i);
            i = child;
        }
        time[i] = at;
        kind[i] = k;
        subject[i] = s;
        generation[i] = g;
    }

    private void move(int from, int to) {
        time[to] = time[from];
        kind[to] = kind[from];
        subject[to] = subject[from];
        generation[to] = generation[from];
    }
}
