package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.testing.MemoryKnowledge;
import org.junit.jupiter.api.Test;

/** Which nodes each request goes to, apart from carrying it there (that is ProxyStoreTest's). */
class ClusterSelectorTest {
    private static final Key KEY = Key.parse("WORM-s2000-m1--selected");
    private static final Uuid GATEWAY_B = new Uuid("bb000000-0000-8000-0000-00000000000b");
    private final Node cheap = node(1, 100, Optional.empty());
    private final Node cheapToo = node(2, 100, Optional.empty());
    private final Node dear = node(3, 200, Optional.empty());
    private final Node behindB = node(4, 50, Optional.of(GATEWAY_B));
    private final MemoryKnowledge knowledge = new MemoryKnowledge();
    private final ClusterSelector selector = new ClusterSelector(List.of(dear, cheap, behindB, cheapToo), knowledge);

    private static Node node(int i, int cost, Optional<Uuid> via) {
        // Selection never talks to a node: no peer is needed to choose one.
        return new Node(new Uuid(String.format("ac000000-0000-8000-0000-%012d", i)), "node" + i, null, cost, via);
    }

    @Test
    void readsGoToTheHoldersCheapestFirstAndEquallyCheapOnesInEitherOrder() throws Exception {
        knowledge.locations.put(KEY, new HashSet<>(Set.of(dear.uuid(), cheap.uuid(), cheapToo.uuid())));
        Set<List<Node>> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            List<Node> order = selector.holding(KEY);
            assertThat(order).hasSize(3).last().isEqualTo(dear);
            seen.add(order);
        }
        assertThat(seen).as("equally cheap holders are shuffled").containsExactlyInAnyOrder(
                List.of(cheap, cheapToo, dear), List.of(cheapToo, cheap, dear));
        assertThat(selector.holding(Key.parse("WORM-s1-m1--nowhere"))).isEmpty();
    }

    @Test
    void uploadsGoToTheLackingNodesThatWantTheKeyOrToAllLackingOnesIfNoneWantsIt() throws Exception {
        knowledge.locations.put(KEY, new HashSet<>(Set.of(cheap.uuid())));
        knowledge.wanted.put(dear.uuid(), PreferredContent.parse("largerthan=1kb"));
        knowledge.wanted.put(cheapToo.uuid(), PreferredContent.parse("smallerthan=1kb"));
        knowledge.wanted.put(behindB.uuid(), PreferredContent.parse("smallerthan=1kb"));
        assertThat(selector.forUpload(KEY, AssociatedFile.NONE)).containsExactly(dear);

        knowledge.wanted.put(dear.uuid(), PreferredContent.parse("smallerthan=1kb"));
        assertThat(selector.forUpload(KEY, AssociatedFile.NONE)).containsExactly(dear, behindB, cheapToo);

        knowledge.locations.put(KEY, new HashSet<>(Set.of(dear.uuid(), cheap.uuid(), behindB.uuid(), cheapToo.uuid())));
        assertThat(selector.forUpload(KEY, AssociatedFile.NONE)).as("all hold it: every node is asked")
                .containsExactly(dear, cheap, behindB, cheapToo);
    }

    @Test
    void removalsGoToEveryNodeWhateverTheLogSays() {
        assertThat(selector.forRemoval()).containsExactly(dear, cheap, behindB, cheapToo);
    }

    @Test
    void bypassLeavesOutTheNodesBehindANamedGatewayAndANodeThatIsOne() throws Exception {
        assertThat(selector.bypassing(List.of())).isSameAs(selector);
        ClusterSelector bypassed = selector.bypassing(List.of(GATEWAY_B, dear.uuid()));
        assertThat(bypassed.nodes()).containsExactly(cheap, cheapToo);
        knowledge.locations.put(KEY, new HashSet<>(Set.of(behindB.uuid(), dear.uuid())));
        assertThat(bypassed.holding(KEY)).isEmpty();
        assertThat(bypassed.forUpload(KEY, AssociatedFile.NONE)).containsExactly(cheap, cheapToo);
    }
}
