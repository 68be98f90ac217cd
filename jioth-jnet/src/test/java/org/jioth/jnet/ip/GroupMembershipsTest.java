package org.jioth.jnet.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The interface state merged from the sockets' filters (RFC 3810 4.2) and the change records (6.1). */
class GroupMembershipsTest {
    static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    final GroupMemberships g = new GroupMemberships();
    final byte[] group = ip("ff05::1").getAddress();
    final SourceFilter.Source key = SourceFilter.Source.of(group);

    @Test
    void excludeWinsAndIncludesPunchHolesInIt() {
        GroupMemberships.Membership a = g.add(2, group, SourceFilter.exclude(ip("fd00::1"), ip("fd00::2")));
        g.add(2, group, SourceFilter.exclude(ip("fd00::2"), ip("fd00::3")));
        assertThat(g.state(2, key)).isEqualTo(SourceFilter.exclude(ip("fd00::2")));
        g.add(2, group, SourceFilter.include(ip("fd00::2"), ip("fd00::4")));
        assertThat(g.state(2, key)).isEqualTo(SourceFilter.any());
        assertThat(g.state(3, key)).isNull();
        assertThat(g.remove(a)).isTrue();
        assertThat(g.remove(a)).isFalse();
    }

    @Test
    void includesUnite() {
        g.add(2, group, SourceFilter.include(ip("fd00::1")));
        g.add(2, group, SourceFilter.include(ip("fd00::2")));
        assertThat(g.state(2, key)).isEqualTo(SourceFilter.include(ip("fd00::1"), ip("fd00::2")));
        assertThat(g.accepts(2, key, SourceFilter.Source.of(ip("fd00::2").getAddress()))).isTrue();
        assertThat(g.accepts(2, key, SourceFilter.Source.of(ip("fd00::3").getAddress()))).isFalse();
    }

    @Test
    void changeRecordsFollowRfc3810() {
        SourceFilter.Source s1 = SourceFilter.Source.of(ip("fd00::1").getAddress());
        SourceFilter.Source s2 = SourceFilter.Source.of(ip("fd00::2").getAddress());
        assertThat(GroupReporter.changeRecords(key, null, SourceFilter.any()))
                .containsExactly(new GroupReporter.GroupRecord(GroupReporter.CHANGE_TO_EXCLUDE, key, Set.of()));
        assertThat(GroupReporter.changeRecords(key, SourceFilter.include(ip("fd00::1")),
                SourceFilter.include(ip("fd00::2")))).containsExactly(
                new GroupReporter.GroupRecord(GroupReporter.ALLOW_NEW_SOURCES, key, Set.of(s2)),
                new GroupReporter.GroupRecord(GroupReporter.BLOCK_OLD_SOURCES, key, Set.of(s1)));
        assertThat(GroupReporter.changeRecords(key, SourceFilter.exclude(ip("fd00::1")), SourceFilter.any()))
                .containsExactly(new GroupReporter.GroupRecord(GroupReporter.ALLOW_NEW_SOURCES, key, Set.of(s1)));
        assertThat(GroupReporter.changeRecords(key, SourceFilter.any(), null))
                .containsExactly(new GroupReporter.GroupRecord(GroupReporter.CHANGE_TO_INCLUDE, key, Set.of()));
    }

    @Test
    void filtersAndGroupsAreBounded() {
        InetAddress[] many = new InetAddress[GroupMemberships.MAX_SOURCES + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = ip("fd00::" + Integer.toHexString(i + 1));
        }
        assertThatThrownBy(() -> g.add(2, group, SourceFilter.include(many))).isInstanceOf(IllegalArgumentException.class);
        for (int i = 0; i < GroupMemberships.MAX_GROUPS; i++) {
            g.add(2, ip("ff05::" + Integer.toHexString(i + 1)).getAddress(), SourceFilter.any());
        }
        assertThatThrownBy(() -> g.add(2, ip("ff05::ffff").getAddress(), SourceFilter.any()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(g.groups(2)).hasSize(GroupMemberships.MAX_GROUPS);
    }
}
