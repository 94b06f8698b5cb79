package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The governor's decisions over a simulated machine: two CPUs, this process and whatever else runs. */
class ThreadGovernorTest {

    /** A fake machine: per window, how many CPUs this process used and how many stood idle (of 2). */
    static final class FakeMachine implements ThreadGovernor.Probe {
        long now;
        long cpu;
        final long[][] ticks = {{0, 0}, {0, 0}};
        final List<Integer> set = new ArrayList<>();

        /** Advances the clock by {@code secs}, this process using {@code used} CPUs and {@code idle} CPUs idle. */
        void run(double secs, double used, double idle) {
            now += (long) (secs * 1e9);
            cpu += (long) (used * secs * 1e9);
            long perCpu = (long) (secs * 100);
            for (int c = 0; c < 2; c++) {
                ticks[c][0] += perCpu;
                ticks[c][1] += Math.round(perCpu * idle / 2);
            }
        }

        @Override public long[][] stat() { return new long[][] {ticks[0].clone(), ticks[1].clone()}; }
        @Override public long cpuNanos() { return cpu; }
        @Override public long nanoTime() { return now; }
    }

    @Test
    void decideFollowsWhatTheProcessCouldHaveUsed() {
        assertEquals(2, ThreadGovernor.decide(1.97, 0.02, 2, 2)); // alone, spinning threads: keeps both
        assertEquals(1, ThreadGovernor.decide(1.02, 0.0, 2, 2));  // beside a twin
        assertEquals(1, ThreadGovernor.decide(0.66, 0.0, 1, 2));  // one thread beside two busy loops
        assertEquals(2, ThreadGovernor.decide(1.01, 0.95, 1, 2)); // one thread, the other CPU idle again
        assertEquals(2, ThreadGovernor.decide(3.9, 4.0, 2, 2));   // never above the budget
        assertEquals(1, ThreadGovernor.decide(0.0, 0.0, 8, 8));   // never below 1
        assertEquals(6, ThreadGovernor.decide(5.8, 0.3, 8, 8));
        assertEquals(6, ThreadGovernor.decide(5.6, 0.4, 4, 8));   // up: floor(6.0 + 0.25)
        // a share of about 1.5 CPUs keeps whatever count is in force: no flipping every window
        assertEquals(2, ThreadGovernor.decide(1.55, 0.0, 2, 2));
        assertEquals(1, ThreadGovernor.decide(1.0, 0.6, 1, 2));
        assertEquals(1, ThreadGovernor.decide(1.45, 0.0, 2, 2));
        assertEquals(2, ThreadGovernor.decide(1.0, 0.75, 1, 2));
    }

    @Test
    void dropsBesideATwinAndComesBackWhenItEnds() {
        FakeMachine m = new FakeMachine();
        ThreadGovernor g = new ThreadGovernor(2, 2, m.set::add, m);
        g.afterStep(); // the first call starts the first window
        // alone: 2 CPUs used; 0.25 s steps -> a window of 8 steps
        for (int i = 0; i < 8; i++) { m.run(0.25, 1.98, 0.01); g.afterStep(); }
        assertEquals(List.of(), m.set);
        // a twin starts: this process gets one CPU
        for (int i = 0; i < 3; i++) { m.run(1.0, 1.0, 0.0); g.afterStep(); }
        assertEquals(List.of(1), m.set);
        assertEquals(1, g.threads());
        // still beside it, with one thread: stays at 1, and after 3 quiet windows tries 3 threads
        for (int i = 0; i < 6; i++) { m.run(1.0, 1.0, 0.0); g.afterStep(); }
        assertEquals(List.of(1, 3), m.set);
        // the twin ends: one CPU idle (the try ends in the window that straddles the end, half idle: it loses, the same
        // step time; the next window, all idle, goes back to 2)
        for (int i = 0; i < 3; i++) { m.run(1.0, 1.0, 0.97); g.afterStep(); }
        assertEquals(List.of(1, 3, 1, 2), m.set);
        assertEquals(2, g.threads());
        assertFalse(g.wide());
    }

    /** Runs {@code n} steps of a machine where the step time and the CPU share depend on the thread count. */
    static void steps(ThreadGovernor g, FakeMachine m, int n, java.util.function.IntToDoubleFunction stepSecs,
                      java.util.function.IntToDoubleFunction used, double idle) {
        for (int i = 0; i < n; i++) {
            int t = g.threads();
            m.run(stepSecs.applyAsDouble(t), used.applyAsDouble(t), idle);
            g.afterStep();
        }
    }

    @Test
    void goesWideBesideBusyThreadsWhenThatIsFasterAndLeavesWhenCpusFreeUp() {
        FakeMachine m = new FakeMachine();
        ThreadGovernor g = new ThreadGovernor(2, 2, m.set::add, m);
        g.afterStep();
        // beside two busy loops (a large model): 2 spinning threads 3 s a step, 1 thread 1.8 s, 3 threads 1.4 s
        java.util.function.IntToDoubleFunction secs = t -> t == 1 ? 1.8 : t == 2 ? 3.0 : 1.4;
        java.util.function.IntToDoubleFunction share = t -> t == 1 ? 0.66 : t == 2 ? 1.0 : 1.2;
        steps(g, m, 2, secs, share, 0.0);
        assertEquals(List.of(1), m.set); // drops first
        steps(g, m, 2 * ThreadGovernor.FIRST_GAP, secs, share, 0.0); // quiet windows at 1 thread
        assertEquals(List.of(1, 3), m.set); // then tries one thread more than its CPUs
        steps(g, m, 2, secs, share, 0.0);
        assertEquals(List.of(1, 3), m.set);
        assertTrue(g.wide(), "1.4 s a step beats 1.8 by more than the margin: kept");
        steps(g, m, 2 * ThreadGovernor.FIRST_GAP, secs, share, 0.0);
        assertEquals(List.of(1, 3, 1), m.set); // a try of the narrow count...
        steps(g, m, 2, secs, share, 0.0);
        assertEquals(List.of(1, 3, 1, 3), m.set); // ...loses: wide again
        assertTrue(g.wide());
        // the busy loops end: CPUs idle while wide -> back to the budget
        steps(g, m, 2, secs, t -> 1.2, 0.8);
        assertEquals(List.of(1, 3, 1, 3, 2), m.set);
        assertFalse(g.wide());
    }

    @Test
    void staysNarrowWhenWideIsSlowerAndTriesLessOften() {
        FakeMachine m = new FakeMachine();
        ThreadGovernor g = new ThreadGovernor(2, 2, m.set::add, m);
        g.afterStep();
        // a small model beside a twin: 1 thread 1.0 s a step, 3 threads 1.05 s (not better by the margin)
        java.util.function.IntToDoubleFunction secs = t -> t == 1 ? 1.0 : t == 2 ? 2.0 : 1.05;
        java.util.function.IntToDoubleFunction share = t -> t == 1 ? 1.0 : 1.0;
        steps(g, m, 2, secs, share, 0.0);
        assertEquals(List.of(1), m.set);
        List<Integer> tries = new ArrayList<>();
        int windows = 0;
        for (int w = 0; w < 60; w++) {
            int before = m.set.size();
            steps(g, m, 2, secs, share, 0.0);
            windows++;
            if (m.set.size() > before && m.set.get(m.set.size() - 1) == 3) tries.add(windows);
        }
        assertFalse(g.wide());
        assertEquals(1, g.threads());
        // tries after 3 quiet windows, then 6, then 12 (each try is one window, then back to 1)
        assertEquals(List.of(3, 3 + 1 + 6, 3 + 1 + 6 + 1 + 12), tries.subList(0, 3));
        for (int i = 1; i < m.set.size(); i += 2) assertEquals(3, m.set.get(i));
        for (int i = 2; i < m.set.size(); i += 2) assertEquals(1, m.set.get(i));
        // the long wait between tries ends when the share changes (the twin gives way to two busy loops: 0.66 CPUs)
        int before = m.set.size();
        steps(g, m, 2 * ThreadGovernor.FIRST_GAP, secs, t -> 0.66, 0.0);
        assertTrue(m.set.size() > before, "a try within " + ThreadGovernor.FIRST_GAP + " windows of the change");
        assertEquals(3, m.set.get(before));
    }

    @Test
    void waitsForAFullWindowOfTimeAndSteps() {
        FakeMachine m = new FakeMachine();
        ThreadGovernor g = new ThreadGovernor(2, 2, m.set::add, m);
        g.afterStep();
        m.run(10, 1.0, 0.0); g.afterStep(); // one step, however long, is not a window
        assertEquals(List.of(), m.set);
        m.run(0.1, 1.0, 0.0); g.afterStep();
        assertEquals(List.of(1), m.set);
        ThreadGovernor g2 = new ThreadGovernor(2, 2, m.set::add, m);
        g2.afterStep();
        for (int i = 0; i < 5; i++) { m.run(0.3, 1.0, 0.0); g2.afterStep(); } // 1.5 s < the window
        assertEquals(List.of(1), m.set);
    }

    @Test
    void offWithOneCpuOrWithoutAProbe() {
        FakeMachine m = new FakeMachine();
        ThreadGovernor one = new ThreadGovernor(1, 1, m.set::add, m);
        ThreadGovernor none = new ThreadGovernor(2, 2, m.set::add, null);
        for (int i = 0; i < 10; i++) { m.run(1, 0.2, 0); one.afterStep(); none.afterStep(); ThreadGovernor.OFF.afterStep(); }
        assertEquals(List.of(), m.set);
    }

    @Test
    void statLinesOfTheAllowedCpus() {
        List<String> lines = List.of(
                "cpu  10 0 10 80 0 0 0 0 0 0",
                "cpu0 1 2 3 40 4 1 1 2 5 0",
                "cpu1 5 0 5 40 0 0 0 0 0 0",
                "cpu3 0 0 0 10 10 0 0 0 0 0",
                "intr 1 2 3");
        long[][] all = ThreadGovernor.parseStat(lines, List.of());
        assertEquals(4, all.length);
        assertArrayEquals(new long[] {1 + 2 + 3 + 40 + 4 + 1 + 1 + 2, 44}, all[0]); // guest (5) is inside user already
        assertArrayEquals(new long[] {50, 40}, all[1]);
        assertNull(all[2]);
        assertArrayEquals(new long[] {20, 20}, all[3]);
        long[][] only = ThreadGovernor.parseStat(lines, List.of(1));
        assertNull(only[0]);
        assertArrayEquals(new long[] {50, 40}, only[1]);
        long[][] later = {{104, 94}, {150, 40}, null, {20, 20}};
        // cpu0: 50 of 50 ticks idle; cpu1: 0 of 100; cpu3: no ticks
        assertEquals(1.0, ThreadGovernor.idleCpus(all, later), 1e-12);
    }
}
