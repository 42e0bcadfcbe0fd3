package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /proc per-thread CPU shares and the jcmd reports the idle scenario reads. */
class JvmStatsTest {

    @TempDir
    Path proc;

    /** A stat line with utime/stime in fields 14/15; the command name holds spaces like HotSpot's do. */
    private static String stat(int tid, String comm, long utime, long stime) {
        return tid + " (" + comm + ") S 1 1 1 0 -1 4194560 10 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 5 0 0\n";
    }

    private void process(int pid, long utime, long stime) throws IOException {
        Files.createDirectories(proc.resolve(pid + "/task"));
        Files.writeString(proc.resolve(pid + "/stat"), stat(pid, "java", utime, stime));
    }

    private void thread(int pid, int tid, String name, long utime, long stime) throws IOException {
        Path task = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(task.resolve("comm"), name + "\n");
        Files.writeString(task.resolve("stat"), stat(tid, name, utime, stime));
    }

    @Test
    void shouldShareTheWindowsCpuOutBetweenCompilerAndGcThreads() throws IOException {
        JvmThreadCpu cpu = new JvmThreadCpu(proc);
        process(42, 900, 100);
        thread(42, 42, "java", 10, 0);
        thread(42, 43, "C2 CompilerThre", 300, 0);
        thread(42, 44, "C1 CompilerThre", 50, 0);
        thread(42, 45, "GC Thread#0", 20, 5);
        thread(42, 46, "vert.x-eventloo", 400, 100);
        JvmThreadCpu.Sample before = cpu.sample(42);

        // 1,000 ticks later: compilers +10 (+5 from a new compiler thread), GC +40 (+10 in the VM Thread), rest other
        process(42, 1800, 200);
        thread(42, 43, "C2 CompilerThre", 310, 0);
        thread(42, 45, "GC Thread#0", 50, 15);
        thread(42, 46, "vert.x-eventloo", 1285, 100);
        thread(42, 47, "C2 CompilerThre", 5, 0);
        thread(42, 48, "VM Thread", 8, 2);
        JvmThreadCpu.Sample after = cpu.sample(42);

        JvmThreadCpu.Shares shares = JvmThreadCpu.shares(before, after);
        assertEquals(1.5, shares.compilerPct(), 1e-9);
        assertEquals(5.0, shares.gcPct(), 1e-9);
        assertEquals(Map.of("chat-1", 1.5), JvmThreadCpu.percentByProcess(Map.of("chat-1", before), Map.of("chat-1", after),
                JvmThreadCpu.Kind.COMPILER));
    }

    @Test
    void shouldNameTheThreadKindsHotSpotUses() {
        assertEquals(JvmThreadCpu.Kind.COMPILER, JvmThreadCpu.kindOf("C1 CompilerThre"));
        assertEquals(JvmThreadCpu.Kind.GC, JvmThreadCpu.kindOf("G1 Conc#0"));
        assertEquals(JvmThreadCpu.Kind.GC, JvmThreadCpu.kindOf("G1 Refine#0"));
        assertEquals(JvmThreadCpu.Kind.GC, JvmThreadCpu.kindOf("VM Thread"));
        assertEquals(JvmThreadCpu.Kind.OTHER, JvmThreadCpu.kindOf("VM Periodic Tas"));
        assertEquals(JvmThreadCpu.Kind.OTHER, JvmThreadCpu.kindOf("executor-thread"));
    }

    @Test
    void shouldReportNothingForAProcessThatCannotBeRead() throws IOException {
        JvmThreadCpu cpu = new JvmThreadCpu(proc);
        assertNull(cpu.sample(7));
        process(8, 1, 1);
        assertNull(JvmThreadCpu.shares(cpu.sample(8), cpu.sample(8)), "no CPU used in the window: no share");
    }

    @Test
    void shouldGiveEachEventLoopItsShareOfACoreBusiestFirst() throws IOException {
        JvmThreadCpu cpu = new JvmThreadCpu(proc);
        process(42, 100, 0);
        thread(42, 50, "vert.x-eventloo", 100, 0);
        thread(42, 51, "vert.x-eventloo", 10, 0);
        thread(42, 52, "executor-thread", 0, 0);
        JvmThreadCpu.Sample before = cpu.sample(42);

        // 10 s at 100 ticks a second: loop 50 used 2 s (20 % of a core), loop 51 9 s (90 %); other threads do not count
        process(42, 1300, 0);
        thread(42, 50, "vert.x-eventloo", 300, 0);
        thread(42, 51, "vert.x-eventloo", 910, 0);
        thread(42, 52, "executor-thread", 90, 0);
        JvmThreadCpu.Sample after = cpu.sample(42);

        assertEquals(JvmThreadCpu.Kind.EVENT_LOOP, JvmThreadCpu.kindOf("vert.x-eventloo"));
        assertEquals(List.of(90.0, 20.0), JvmThreadCpu.eventLoopCorePct(before, after, 10, 100));
        assertEquals(Map.of("chat-1", List.of(90.0, 20.0)), JvmThreadCpu.eventLoopCorePctByProcess(
                Map.of("chat-1", before), Map.of("chat-1", after), 10, 100));
        assertEquals(List.of(), JvmThreadCpu.eventLoopCorePct(null, after, 10, 100), "a process that was not read");
    }

    @Test
    void shouldReadCommittedKbPerNmtCategoryOfJdk17And25() {
        String jdk17 = """
                12345:

                Native Memory Tracking:

                Total: reserved=1504778KB, committed=127858KB
                       malloc: 6346KB #3764
                -                 Java Heap (reserved=65536KB, committed=65536KB)
                                            (mmap: reserved=65536KB, committed=65536KB)
                -                    Thread (reserved=19506KB, committed=842KB)
                                            (thread #19)
                -        Shared class space (reserved=16384KB, committed=12060KB, readonly=0KB)
                -               Arena Chunk (reserved=269KB, committed=269KB)
                """;
        Map<String, Long> kb = JvmMemory.nmtCommittedKb(jdk17);
        assertEquals(List.of("Total", "Java Heap", "Thread", "Shared class space", "Arena Chunk"), List.copyOf(kb.keySet()));
        assertEquals(127858L, kb.get("Total"));
        assertEquals(842L, kb.get("Thread"));
        assertEquals(12060L, kb.get("Shared class space"));
        assertThrows(IllegalArgumentException.class, () -> JvmMemory.nmtCommittedKb("Native memory tracking is not enabled"));
    }

    @Test
    void shouldSubtractCategoriesPresentOnOneSideOnly() {
        Map<String, Long> d = JvmMemory.delta(Map.of("Total", 100L, "Other", 5L), Map.of("Total", 130L, "NIO", 20L));
        assertEquals(30L, d.get("Total"));
        assertEquals(20L, d.get("NIO"));
        assertEquals(-5L, d.get("Other"));
    }

    @Test
    void shouldReadTheLiveHeapTotalAndBytesPerClassFromAHistogram() {
        String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          7193         332264  [B (java.base@17.0.15)
                   2:          1425         175656  java.lang.Class (java.base@17.0.15)
                   3:            10            480  io.netty.channel.DefaultChannelPipeline
                Total         23268        1060304
                """;
        JvmMemory.Histogram h = JvmMemory.histogram(histogram);
        assertEquals(1060304L, h.totalBytes());
        assertEquals(332264L, h.bytesByClass().get("[B"));
        assertEquals(480L, h.bytesByClass().get("io.netty.channel.DefaultChannelPipeline"));
    }

    @Test
    void shouldPutPerConnectionFiguresOfTheNodesThatTookConnections() throws Exception {
        JvmMemory.Histogram heap0 = new JvmMemory.Histogram(1_000_000, Map.of("[B", 600_000L, "a.Session", 0L));
        JvmMemory.Histogram heap1 = new JvmMemory.Histogram(3_000_000, Map.of("[B", 1_600_000L, "a.Session", 1_000_000L));
        NodeMemory.Snapshot before = new NodeMemory.Snapshot(100_000, heap0, Map.of("Total", 500_000L, "Other", 1_000L), null);
        NodeMemory.Snapshot after = new NodeMemory.Snapshot(110_000, heap1, Map.of("Total", 505_000L, "Other", 6_000L), null);
        Report r = new Report();
        NodeMemory.perConnection(Map.of("chat-1", before), Map.of("chat-1", after), 1000, r);
        Map<String, Object> f = r.fields();
        assertEquals(10240.0, f.get("rssAfterGcBytesPerConnection"));
        assertEquals(2000.0, f.get("liveHeapBytesPerConnection"));
        assertEquals(Map.of("[B", 1000.0, "a.Session", 1000.0), f.get("liveHeapTopClassesBytesPerConnection"));
        assertEquals(Map.of("Total", 5000L, "Other", 5000L), f.get("nmtCommittedKbDelta"));
        assertEquals(5120.0, ((Map<?, ?>) f.get("nmtCommittedBytesPerConnection")).get("Other"));
    }
}
