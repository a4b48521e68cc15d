package org.annexhost;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ProtocolServer;
import org.junit.jupiter.api.Test;

/** Dependencies point inward: the protocol core knows nothing of its adapters (STYLE rule 1). */
class ArchitectureTest {
    private static final JavaClasses HOST = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.annexhost");

    @Test
    void protocolCoreKnowsNoAdapters() {
        noClasses().that().resideInAPackage("org.annexhost.p2p..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.annexhost.shell..", "org.annexhost.cli..", "org.annexhost.http..",
                        "org.annexhost.repo..", "org.annexhost.plugin..", "org.annexhost.lock..",
                        "org.annexhost.proxy..", "org.annexhost.remote..", "org.annexhost.metrics..",
                        "org.pf4j..", "org.eclipse.jetty..", "picocli..", "java.nio.file..", "io.micrometer..")
                .check(HOST);
    }

    @Test
    void metricsObserveAndKnowNothingOfWhatTheyMeasure() {
        // The protocol core reports through ServerEvents; HTTP feeds and reads HostMetrics. Only
        // the metrics package (and the composition root, which builds it) touches Micrometer.
        noClasses().that().resideInAPackage("org.annexhost.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.remote..", "org.annexhost.proxy..",
                        "org.annexhost.repo..", "org.annexhost.http..", "org.annexhost.shell..", "org.annexhost.peer..")
                .check(HOST);
        noClasses().that().resideOutsideOfPackage("org.annexhost.metrics..")
                .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
                .check(HOST);
    }

    @Test
    void whoMayDoWhatIsDecidedInOnePlaceThatKnowsNoFrontDoorOrStore() {
        // HTTP, git smart HTTP and the ssh shell all ask access (Right, HostUsers, Grants); it
        // knows none of them, nor how content is stored or proxied.
        noClasses().that().resideInAPackage("org.annexhost.access..")
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.http..", "org.annexhost.shell..",
                        "org.annexhost.cli..", "org.annexhost.remote..", "org.annexhost.proxy..", "org.annexhost.repo..",
                        "org.annexhost.peer..", "org.annexhost.activity..", "org.eclipse.jetty..")
                .check(HOST);
        // The protocol core serves at a mode; it does not know where the mode came from.
        noClasses().that().resideInAPackage("org.annexhost.p2p..")
                .should().dependOnClassesThat().resideInAPackage("org.annexhost.access..")
                .check(HOST);
    }

    @Test
    void activityAndStatusRecordWhatFrontDoorsReportAndKnowNothingOfStoresOrRemotes() {
        // The HTTP server and the ssh shell report to Activity; the composition root builds the
        // status from what it serves. Neither records nor renders by reaching into stores.
        noClasses().that().resideInAnyPackage("org.annexhost.activity..", "org.annexhost.status..")
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.remote..", "org.annexhost.proxy..",
                        "org.annexhost.repo..", "org.annexhost.http..", "org.annexhost.shell..", "org.annexhost.peer..",
                        "org.annexhost.metrics..", "org.annexhost.plugin..")
                .check(HOST);
        // The protocol core knows nothing of what is recorded of it.
        noClasses().that().resideInAPackage("org.annexhost.p2p..")
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.activity..", "org.annexhost.status..")
                .check(HOST);
    }

    @Test
    void onlyTheCompositionRootUsesTheCommandLineLibrary() {
        noClasses().that().resideOutsideOfPackage("org.annexhost.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(HOST);
    }

    @Test
    void nothingDependsOnTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackage("org.annexhost.cli..")
                .should().dependOnClassesThat().resideInAPackage("org.annexhost.cli..")
                .check(HOST);
    }

    @Test
    void repositoryCodeDoesNotKnowItsTransports() {
        noClasses().that().resideInAnyPackage("org.annexhost.repo..", "org.annexhost.lock..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.annexhost.shell..", "org.annexhost.http..", "org.annexhost.p2p.transport..")
                .check(HOST);
    }

    @Test
    void clustersKnowNothingOfHowRemotesAreConfigured() {
        noClasses().that().resideInAPackage("org.annexhost.proxy..")
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.remote..", "org.annexhost.shell..",
                        "org.annexhost.http..")
                .check(HOST);
    }

    @Test
    void adaptersAskTheResolverWhoServesAUuidAndNeverBuildAServer() {
        // The shell and HTTP serve whatever PeerResolver gives them; which server, on which store,
        // with what rights, is decided once per repository in the composition root.
        noClasses().that().resideInAnyPackage("org.annexhost.shell..", "org.annexhost.http..")
                .should().callConstructor(ProtocolServer.class, Uuid.class, LocalStore.class, ProtocolServer.Options.class)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.annexhost.remote..", "org.annexhost.proxy..",
                        "org.annexhost.repo..")
                .check(HOST);
    }

    @Test
    void aProxyIsOneMechanismAndTheLocalStoreKnowsNothingOfIt() {
        // A git-annex repository behind the gateway and a cluster are both a ProxyStore with a
        // NodeSelector; nothing else carries a client's requests on to another server (HTTP talks
        // to the peers it serves, git remotes are probed, the composition root warms up its own
        // server). The store interface the protocol server serves from has local actions only.
        noClasses().that().resideOutsideOfPackages("org.annexhost.proxy..", "org.annexhost.p2p.client..",
                        "org.annexhost.p2p.transport..", "org.annexhost.http..", "org.annexhost.remote.git..",
                        "org.annexhost.cli..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.annexhost.p2p.client.ProtocolClient")
                .check(HOST);
        noClasses().that().haveFullyQualifiedName(LocalStore.class.getName())
                .should().dependOnClassesThat().resideInAnyPackage("org.annexhost.proxy..", "org.annexhost.peer..",
                        "org.annexhost.remote..")
                .check(HOST);
    }
}
