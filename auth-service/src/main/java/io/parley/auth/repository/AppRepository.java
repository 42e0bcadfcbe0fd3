package io.parley.auth.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AppRepository implements PanacheRepositoryBase<AppEntity, String> {
}
