//! Networks and volumes: the project's shared engine objects besides containers.

use std::collections::HashMap;

use bollard::models::{NetworkCreateRequest, VolumeCreateRequest};
use bollard::query_parameters::{
    ListNetworksOptionsBuilder, ListVolumesOptionsBuilder, RemoveVolumeOptionsBuilder,
};

use super::error::Result;
use super::{LABEL_PROJECT, LABEL_SERVICE, Runtime, foreign_object, network_name, not_found};

impl Runtime {
    /// Create the project's bridge network if it does not exist; returns its id.
    /// Docker does not enforce unique network names, so callers serialise this (the state
    /// lock) and containers are attached by id, which is never ambiguous.
    pub async fn ensure_network(&self, project: &str) -> Result<String> {
        let name = network_name(project);
        let nets = self.networks_named(&name).await?;
        if let Some((id, _)) = nets.iter().find(|(_, p)| p.as_deref() == Some(project)) {
            return Ok(id.clone());
        }
        if !nets.is_empty() {
            return Err(foreign_object("network", &name, project));
        }
        let req = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".into()),
            labels: Some(HashMap::from([(
                LABEL_PROJECT.to_string(),
                project.to_string(),
            )])),
            ..Default::default()
        };
        let created = self
            .docker
            .create_network(req)
            .await
            .map_err(|e| self.error(e))?;
        Ok(created.id)
    }

    /// The networks with exactly this name, oldest first: (id, its project label).
    async fn networks_named(&self, name: &str) -> Result<Vec<(String, Option<String>)>> {
        let filters = HashMap::from([("name", vec![name.to_string()])]);
        let mut nets = self
            .docker
            .list_networks(Some(
                ListNetworksOptionsBuilder::new().filters(&filters).build(),
            ))
            .await
            .map_err(|e| self.error(e))?;
        // The name filter matches substrings; insist on the exact name.
        nets.retain(|n| n.name.as_deref() == Some(name));
        nets.sort_by(|a, b| a.created.cmp(&b.created));
        Ok(nets
            .into_iter()
            .filter_map(|n| {
                let project = n.labels.and_then(|mut l| l.remove(LABEL_PROJECT));
                n.id.map(|id| (id, project))
            })
            .collect())
    }

    /// Remove the project's network(s); false when there was none. A network of that name
    /// without the project's label is someone else's and stays.
    pub async fn remove_network(&self, project: &str) -> Result<bool> {
        let ids: Vec<String> = self
            .networks_named(&network_name(project))
            .await?
            .into_iter()
            .filter(|(_, p)| p.as_deref() == Some(project))
            .map(|(id, _)| id)
            .collect();
        for id in &ids {
            match self.docker.remove_network(id).await {
                Ok(()) => {}
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(self.error(e)),
            }
        }
        Ok(!ids.is_empty())
    }

    /// Create a named volume with the project's labels (idempotent). Docker hands back an
    /// existing volume of that name as it is: one without the project's label is refused.
    pub async fn ensure_volume(&self, name: &str, labels: HashMap<String, String>) -> Result<()> {
        let project = labels.get(LABEL_PROJECT).cloned().unwrap_or_default();
        let req = VolumeCreateRequest {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..Default::default()
        };
        let volume = self
            .docker
            .create_volume(req)
            .await
            .map_err(|e| self.error(e))?;
        if volume.labels.get(LABEL_PROJECT) != Some(&project) {
            return Err(foreign_object("volume", name, &project));
        }
        Ok(())
    }

    /// Names of the volumes carrying the project label (and the service label, when given).
    pub async fn project_volumes(
        &self,
        project: &str,
        service: Option<&str>,
    ) -> Result<Vec<String>> {
        let mut labels = vec![format!("{LABEL_PROJECT}={project}")];
        if let Some(s) = service {
            labels.push(format!("{LABEL_SERVICE}={s}"));
        }
        let filters = HashMap::from([("label", labels)]);
        let resp = self
            .docker
            .list_volumes(Some(
                ListVolumesOptionsBuilder::new().filters(&filters).build(),
            ))
            .await
            .map_err(|e| self.error(e))?;
        let mut names: Vec<String> = resp
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        names.sort();
        Ok(names)
    }

    pub async fn remove_volume(&self, name: &str) -> Result<bool> {
        let opts = RemoveVolumeOptionsBuilder::new().force(true).build();
        match self.docker.remove_volume(name, Some(opts)).await {
            Ok(()) => Ok(true),
            Err(e) if not_found(&e) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }
}
