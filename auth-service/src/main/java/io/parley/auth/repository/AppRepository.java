package io.parley.auth.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AppRepository implements PanacheRepositoryBase<AppEntity, String> {

    /**
     * The app, its row locked until the transaction ends; {@code null} if there is none. A plain
     * {@code SELECT … FOR UPDATE}: Hibernate's MySQL 8 dialect writes {@code FOR UPDATE OF <alias>}, which the
     * MariaDB the tests (and some operators) run does not parse.
     */
    public AppEntity findLocked(String appId) {
        if (appId == null || getEntityManager().createNativeQuery("SELECT id FROM apps WHERE id = ?1 FOR UPDATE")
                .setParameter(1, appId).getResultList().isEmpty()) {
            return null;
        }
        return findById(appId);
    }
}
