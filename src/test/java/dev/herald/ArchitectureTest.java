package dev.herald;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package graph runs one way (docs/architecture.md): from the HTTP edge and the bridges down to the store, with
 * HTTP types, the command model and settings at the ground floor. An import against the flow fails here.
 */
class ArchitectureTest {

    private static final JavaClasses HERALD = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.herald");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.herald.(**)").should().beFreeOfCycles().check(HERALD);
    }

    @Test
    void theGroundFloorDependsOnNoOtherHeraldPackage() {
        noClasses().that().resideInAnyPackage("dev.herald.http..", "dev.herald.command..", "dev.herald.settings..",
                "dev.herald.event..", "dev.herald.trace..").should().dependOnClassesThat().resideInAnyPackage("dev.herald.intake..",
                "dev.herald.query..", "dev.herald.store..", "dev.herald.publish..", "dev.herald.relay..",
                "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.deadletter..", "dev.herald.observe..",
                "dev.herald.security..", "dev.herald.embedded..", "dev.herald.projection..", "dev.herald.replay..")
                .check(HERALD);
    }

    @Test
    void theContractsDependOnNothingOfHeraldsAndOnlyTheStoreTheEdgeAndReadsUseThem() {
        noClasses().that().resideInAPackage("dev.herald.contract..").should().dependOnClassesThat(
                resideInAPackage("dev.herald..").and(resideOutsideOfPackage("dev.herald.contract.."))).check(HERALD);
        noClasses().that().resideInAnyPackage("dev.herald.http..", "dev.herald.command..", "dev.herald.settings..",
                "dev.herald.event..", "dev.herald.publish..", "dev.herald.relay..", "dev.herald.bridge..",
                "dev.herald.sink..", "dev.herald.deadletter..", "dev.herald.observe..", "dev.herald.security..",
                "dev.herald.embedded..").should().dependOnClassesThat().resideInAPackage("dev.herald.contract..")
                .check(HERALD);
    }

    @Test
    void theStoreKnowsNothingOfWhoCallsIt() {
        noClasses().that().resideInAPackage("dev.herald.store..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.intake..", "dev.herald.query..", "dev.herald.publish..",
                        "dev.herald.relay..", "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.deadletter..",
                        "dev.herald.projection..", "dev.herald.replay..")
                .check(HERALD);
    }

    @Test
    void replaysCheckRequestsAndKnowNothingOfCommandsPublishingOrTheBridgesCode() {
        // the runner hands pages to the bridges in routes/replays.camel.yaml (SQL and kafka: steps), not in Java
        noClasses().that().resideInAPackage("dev.herald.replay..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.intake..", "dev.herald.query..", "dev.herald.publish..",
                        "dev.herald.relay..", "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.projection..",
                        "dev.herald.store..")
                .check(HERALD);
    }

    @Test
    void projectionsReadTheStoreAndNothingOfTheEdgeOrPublishing() {
        noClasses().that().resideInAPackage("dev.herald.projection..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.intake..", "dev.herald.query..", "dev.herald.publish..",
                        "dev.herald.relay..", "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.security..",
                        "dev.herald.observe..", "dev.herald.settings..")
                .check(HERALD);
    }

    @Test
    void sagasReachCommandsThroughTheirRoutesOnly() {
        // a saga's final command goes through the command's own route (validation, idempotency, its event), never
        // around it into the store or publishing; and nothing below the edge knows sagas
        noClasses().that().resideInAPackage("dev.herald.saga..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.store..", "dev.herald.publish..", "dev.herald.relay..",
                        "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.query..", "dev.herald.projection..")
                .check(HERALD);
        noClasses().that().resideInAnyPackage("dev.herald.intake..", "dev.herald.store..", "dev.herald.publish..",
                "dev.herald.relay..", "dev.herald.deadletter..", "dev.herald.projection..").should()
                .dependOnClassesThat().resideInAPackage("dev.herald.saga..").check(HERALD);
    }

    @Test
    void theStoreAndPublishingSpeakTheDomainNotHttp() {
        // refusals and unavailability are command.Refusal and command.Unavailable; intake gives them statuses
        noClasses().that().resideInAnyPackage("dev.herald.store..", "dev.herald.publish..", "dev.herald.command..")
                .should().dependOnClassesThat().resideInAPackage("dev.herald.http..").check(HERALD);
    }

    @Test
    void publishingNeverCallsBackIntoTheEdgeOrTheBridges() {
        noClasses().that().resideInAnyPackage("dev.herald.publish..", "dev.herald.relay..").should()
                .dependOnClassesThat().resideInAnyPackage("dev.herald.intake..", "dev.herald.query..",
                        "dev.herald.bridge..", "dev.herald.sink..")
                .check(HERALD);
    }

    @Test
    void bridgesAndSinksNeverCallIntakeOrPublish() {
        noClasses().that().resideInAnyPackage("dev.herald.bridge..", "dev.herald.sink..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.intake..", "dev.herald.publish..", "dev.herald.relay..",
                        "dev.herald.query..")
                .check(HERALD);
    }

    @Test
    void theApiDocumentsAreReadOnlyByTheirStep() {
        // they read everything's declarations; nothing but the wiring and the herald: component knows them
        noClasses().that().resideOutsideOfPackages("dev.herald", "dev.herald.apidoc..").should()
                .dependOnClassesThat().resideInAPackage("dev.herald.apidoc..").check(HERALD);
    }

    @Test
    void reactionsApplyCommandsOnlyThroughTheirRoutes() {
        // an inbound event reaches the store and Kafka the way a request does: through the command's route
        // (herald:apply), never by calling the store, the lanes or the bridges itself
        noClasses().that().resideInAPackage("dev.herald.reaction..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.herald.store..", "dev.herald.publish..", "dev.herald.relay..",
                        "dev.herald.bridge..", "dev.herald.sink..", "dev.herald.query..", "dev.herald.projection..",
                        "dev.herald.security..")
                .check(HERALD);
        noClasses().that().resideOutsideOfPackages("dev.herald", "dev.herald.reaction..").should()
                .dependOnClassesThat().resideInAPackage("dev.herald.reaction..").check(HERALD);
    }

    @Test
    void onlyTheMainWiresTheHub() {
        noClasses().that().resideOutsideOfPackage("dev.herald").should().dependOnClassesThat()
                .resideInAPackage("dev.herald").check(HERALD);
    }
}
