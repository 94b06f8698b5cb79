package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
        // still beside it, with one thread: stays at 1
        for (int i = 0; i < 6; i++) { m.run(1.0, 1.0, 0.0); g.afterStep(); }
        assertEquals(List.of(1), m.set);
        // the twin ends: one CPU idle
        for (int i = 0; i < 3; i++) { m.run(1.0, 1.0, 0.97); g.afterStep(); }
        assertEquals(List.of(1, 2), m.set);
        assertEquals(2, g.changes());
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
